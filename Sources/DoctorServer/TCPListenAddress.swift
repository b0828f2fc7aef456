import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `--listen HOST:PORT` for TCP: `127.0.0.1:9464`, `[::1]:9464`, `localhost:9464`.
public struct TCPListenAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init(parsing text: String) throws(ListenError) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ListenError("--listen \(text): expected [ADDRESS]:PORT") }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                throw ListenError("--listen \(text): expected HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port) else { throw ListenError("--listen \(text): '\(portText)' is not a port number") }
        guard !host.isEmpty else { throw ListenError("--listen \(text): the host is missing (use 127.0.0.1 for loopback)") }
        self.host = host == "localhost" ? "127.0.0.1" : String(host)
        self.port = port
    }

    /// 127.0.0.0/8 and ::1. Anything else (0.0.0.0, a LAN address, a name) is reachable from other hosts.
    public var isLoopback: Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return withUnsafeBytes(of: &v6) { $0.elementsEqual([UInt8](repeating: 0, count: 15) + [1]) } }
        return false
    }
}
