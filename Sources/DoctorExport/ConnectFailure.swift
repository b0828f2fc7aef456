#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import NIOCore
import NIOPosix

/// Making the connection, and why it could not be made or broke, in the words of the system (`strerror`), for error messages.
enum ConnectFailure {
    static func reason(_ error: IOError) -> String {
        String(cString: strerror(error.errnoCode))
    }

    /// Connects to an IP address directly; only a name goes through NIO's resolver (getaddrinfo on a Dispatch
    /// queue, which a busy process can keep waiting).
    static func connect(_ bootstrap: ClientBootstrap, _ endpoint: OTLPEndpoint) -> EventLoopFuture<any Channel> {
        if let address = try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port) { return bootstrap.connect(to: address) }
        return bootstrap.connect(host: endpoint.host, port: endpoint.port)
    }

    static func describe(_ error: any Error, url: String, host: String, timeoutText: String) -> OTLPExportError {
        switch error {
        case ChannelError.connectTimeout:
            return OTLPExportError("\(url): connecting did not finish before the export timeout (\(timeoutText))")
        case let error as NIOConnectionError:
            if let io = error.connectionErrors.lazy.compactMap({ $0.error as? IOError }).first {
                return OTLPExportError("\(url): cannot connect: \(reason(io))")
            }
            if let other = error.connectionErrors.first?.error { return describe(other, url: url, host: host, timeoutText: timeoutText) }
            return OTLPExportError("\(url): cannot resolve \(host)")
        case let error as IOError:
            return OTLPExportError("\(url): cannot connect: \(reason(error))")
        default:
            return OTLPExportError("\(url): cannot connect: \(error)")
        }
    }
}
