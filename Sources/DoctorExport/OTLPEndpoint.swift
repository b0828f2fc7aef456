/// One request's target, split from a `http://host[:port][/path]` URL. Only cleartext `http://`: this build
/// has no TLS, and an `https://` endpoint is refused with that said.
struct OTLPEndpoint: Sendable {
    /// The whole URL, as error messages name it.
    let url: String
    /// `host[:port]` as written, for `Host` and `:authority`.
    let authority: String
    /// The host to connect to (an IPv6 literal without its brackets).
    let host: String
    let port: Int
    /// The path of the base URL (without a trailing `/`) and the request path appended to it, at least `/`.
    let path: String

    init(base: String, appending suffix: String, defaultPort: Int) throws(OTLPExportError) {
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        url = trimmed + suffix
        guard trimmed.hasPrefix("http://") else {
            throw OTLPExportError("\(url): only http:// endpoints are supported (this build has no TLS; put a collector on loopback in front of a TLS one)")
        }
        let rest = trimmed.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        self.authority = String(authority)
        let basePath = rest.dropFirst(authority.count)
        let joined = String(basePath) + suffix
        path = joined.isEmpty ? "/" : joined
        var host = String(authority)
        var port = defaultPort
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                throw OTLPExportError("\(url): the port is not a number from 1 to 65535")
            }
            host = String(authority[..<colon])
            port = number
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw OTLPExportError("\(url): no host") }
        self.host = host
        self.port = port
    }
}
