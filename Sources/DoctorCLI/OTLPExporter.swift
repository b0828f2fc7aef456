import DoctorCore
import DoctorFormatters
import Foundation
import TOMLKit

/// Where and how `--format otlp` exports. Precedence, highest first: the command line (`--format otlp=URL`,
/// `--otlp-protocol`, `--otlp-header`, `--otlp-timeout`), the standard variables (`OTEL_EXPORTER_OTLP_ENDPOINT`,
/// `…_PROTOCOL`, `…_HEADERS`, `…_TIMEOUT`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`), then the `[otlp]`
/// table of `~/.config/pds/observability.toml`, then the defaults (`http/protobuf` to `http://localhost:4318`).
struct OTLPSettings: Equatable {
    enum Transport: String, CaseIterable {
        case httpProtobuf = "http/protobuf"
        case httpJSON = "http/json"
        case grpc
    }

    var endpoint: String
    var protocolName: Transport
    var headers: [(String, String)]
    var timeout: Double
    var serviceName: String
    var resourceAttributes: [(String, String)]

    static func == (lhs: OTLPSettings, rhs: OTLPSettings) -> Bool {
        lhs.endpoint == rhs.endpoint && lhs.protocolName == rhs.protocolName && lhs.timeout == rhs.timeout && lhs.serviceName == rhs.serviceName
            && lhs.headers.map { "\($0.0)=\($0.1)" } == rhs.headers.map { "\($0.0)=\($0.1)" }
            && lhs.resourceAttributes.map { "\($0.0)=\($0.1)" } == rhs.resourceAttributes.map { "\($0.0)=\($0.1)" }
    }

    /// `k=v,k2=v2` (the variables' list form); values may be percent-encoded.
    static func pairs(_ text: String) -> [(String, String)] {
        text.split(separator: ",").compactMap { item in
            guard let equals = item.firstIndex(of: "=") else { return nil }
            let key = item[..<equals].trimmingCharacters(in: .whitespaces)
            let value = item[item.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            return key.isEmpty ? nil : (key, value.removingPercentEncoding ?? value)
        }
    }

    /// The `[otlp]` table of observability.toml: endpoint, protocol, timeout_ms, service_name, headers (a table),
    /// resource_attributes (a table).
    struct FileSettings {
        var endpoint: String?
        var protocolName: String?
        var timeoutMilliseconds: Int?
        var serviceName: String?
        var headers: [(String, String)] = []
        var resourceAttributes: [(String, String)] = []

        static func read(_ path: String) throws -> FileSettings {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return FileSettings() }
            let table: TOMLTable
            do {
                table = try TOMLTable(string: text)
            } catch let error as TOMLParseError {
                throw UsageError("\(path):\(error.source.begin.line):\(error.source.begin.column): \(error.description)")
            }
            guard let otlp = table["otlp"]?.table else { return FileSettings() }
            var settings = FileSettings()
            settings.endpoint = otlp["endpoint"]?.string
            settings.protocolName = otlp["protocol"]?.string
            settings.timeoutMilliseconds = otlp["timeout_ms"]?.int
            settings.serviceName = otlp["service_name"]?.string
            if let headers = otlp["headers"]?.table { settings.headers = headers.keys.compactMap { key in headers[key]?.string.map { (key, $0) } } }
            if let attributes = otlp["resource_attributes"]?.table {
                settings.resourceAttributes = attributes.keys.compactMap { key in attributes[key]?.string.map { (key, $0) } }
            }
            return settings
        }
    }

    static func resolve(
        destination: String?, protocolFlag: String?, headerFlags: [String], timeoutFlag: Double?, environment: [String: String],
        file: FileSettings
    ) throws -> OTLPSettings {
        func variable(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let protocolText = protocolFlag ?? variable("OTEL_EXPORTER_OTLP_PROTOCOL") ?? file.protocolName ?? Transport.httpProtobuf.rawValue
        guard let protocolName = Transport(rawValue: protocolText) else {
            throw UsageError("unknown OTLP protocol '\(protocolText)'; use one of \(Transport.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let fallback = protocolName == .grpc ? "http://localhost:4317" : "http://localhost:4318"
        let endpoint = destination ?? variable("OTEL_EXPORTER_OTLP_ENDPOINT") ?? file.endpoint ?? fallback
        var headers = file.headers
        for (key, value) in pairs(variable("OTEL_EXPORTER_OTLP_HEADERS") ?? "") + headerFlags.flatMap(pairs) {
            headers.removeAll { $0.0.lowercased() == key.lowercased() }
            headers.append((key, value))
        }
        var timeout = file.timeoutMilliseconds.map { Double($0) / 1000 } ?? 10
        if let text = variable("OTEL_EXPORTER_OTLP_TIMEOUT") {
            guard let milliseconds = Double(text), milliseconds > 0, milliseconds.isFinite else { throw UsageError("OTEL_EXPORTER_OTLP_TIMEOUT must be milliseconds, got '\(text)'") }
            timeout = milliseconds / 1000
        }
        if let timeoutFlag { timeout = timeoutFlag }
        var attributes = file.resourceAttributes
        for (key, value) in pairs(variable("OTEL_RESOURCE_ATTRIBUTES") ?? "") {
            attributes.removeAll { $0.0 == key }
            attributes.append((key, value))
        }
        let serviceName = variable("OTEL_SERVICE_NAME") ?? attributes.first { $0.0 == "service.name" }?.1 ?? file.serviceName ?? "doctor"
        attributes.removeAll { $0.0 == "service.name" }
        return OTLPSettings(endpoint: endpoint, protocolName: protocolName, headers: headers, timeout: timeout, serviceName: serviceName, resourceAttributes: attributes)
    }
}

/// Sends a run to an OTLP receiver: metrics and traces, over OTLP/HTTP (protobuf or JSON) or OTLP/gRPC. Every wait is bounded
/// by the export timeout; a receiver that is down or slow is an error naming the endpoint.
struct OTLPExporter {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let settings: OTLPSettings
    let prefix: String

    func export(_ report: RunReport, host: String) throws(Failure) {
        var attributes = settings.resourceAttributes
        if !attributes.contains(where: { $0.0 == "host.name" }) { attributes.append(("host.name", host)) }
        attributes.append(("service.version", report.toolVersion))
        let encoder = OTLPEncoder(resource: .init(serviceName: settings.serviceName, attributes: attributes), prefix: prefix)
        let deadline = ContinuousClock.now + DurationText.clock(settings.timeout)
        let base = settings.endpoint.hasSuffix("/") ? String(settings.endpoint.dropLast()) : settings.endpoint
        if settings.protocolName == .grpc {
            try GRPCCall.call(url: base, path: "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", headers: settings.headers, message: encoder.metricsProtobuf(report), deadline: deadline)
            try GRPCCall.call(url: base, path: "/opentelemetry.proto.collector.trace.v1.TraceService/Export", headers: settings.headers, message: encoder.tracesProtobuf(report), deadline: deadline)
            return
        }
        let json = settings.protocolName == .httpJSON
        let contentType = json ? "application/json" : "application/x-protobuf"
        let metrics = json ? Array(encoder.metricsJSON(report).utf8) : encoder.metricsProtobuf(report)
        let traces = json ? Array(encoder.tracesJSON(report).utf8) : encoder.tracesProtobuf(report)
        try HTTPPost.send(url: base + "/v1/metrics", contentType: contentType, headers: settings.headers, body: metrics, deadline: deadline)
        try HTTPPost.send(url: base + "/v1/traces", contentType: contentType, headers: settings.headers, body: traces, deadline: deadline)
    }
}

/// One HTTP/1.1 POST over TCP (plain `http://` only), bounded by a deadline: enough for OTLP/HTTP.
enum HTTPPost {
    static func send(url: String, contentType: String, headers: [(String, String)], body: [UInt8], deadline: ContinuousClock.Instant) throws(OTLPExporter.Failure) {
        guard url.hasPrefix("http://") else {
            throw OTLPExporter.Failure(description: "\(url): only http:// endpoints are supported (put a collector on loopback in front of a TLS one)")
        }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count).isEmpty ? "/" : String(rest.dropFirst(authority.count))
        var host = String(authority), port: UInt16 = 80
        if let colon = authority.lastIndex(of: ":"), let number = UInt16(authority[authority.index(after: colon)...]) {
            host = String(authority[..<colon])
            port = number
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let connection = try TCPConnection(host: host, port: port, deadline: deadline, url: url)
        var request = "POST \(path) HTTP/1.1\r\nHost: \(authority)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\nUser-Agent: doctor/\(DoctorVersion.current)\r\n"
        for (key, value) in headers where !key.contains("\r") && !key.contains("\n") && !value.contains("\r") && !value.contains("\n") {
            request += "\(key): \(value)\r\n"
        }
        request += "\r\n"
        try connection.write(Array(request.utf8) + body)
        let response = try connection.readAll(limit: 1 << 20)
        if HTTPResponse.isTruncated(response) {
            throw OTLPExporter.Failure(description: "\(url): the response ended before the body its Content-Length announced")
        }
        let text = String(decoding: response.prefix(4096), as: UTF8.self)
        guard let statusLine = text.split(separator: "\r\n").first, statusLine.hasPrefix("HTTP/1.") else {
            throw OTLPExporter.Failure(description: "\(url): not an HTTP response")
        }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { throw OTLPExporter.Failure(description: "\(url): bad status line '\(statusLine)'") }
        guard (200..<300).contains(status) else {
            let bodyText = text.components(separatedBy: "\r\n\r\n").dropFirst().joined().prefix(300)
            throw OTLPExporter.Failure(description: "\(url) answered \(parts.dropFirst().joined(separator: " "))\(bodyText.isEmpty ? "" : ": \(bodyText)")")
        }
    }
}

/// A non-blocking TCP connection whose every wait is a `poll` bounded by the deadline.
final class TCPConnection {
    let fd: Int32
    let deadline: ContinuousClock.Instant
    let url: String

    init(host: String, port: UInt16, deadline: ContinuousClock.Instant, url: String) throws(OTLPExporter.Failure) {
        self.deadline = deadline
        self.url = url
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &results)
        guard rc == 0, let first = results else {
            throw OTLPExporter.Failure(description: "\(url): cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(results) }
        // Stored only once connected: a throwing class initializer still runs `deinit` (no double close).
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw OTLPExporter.Failure(description: "\(url): socket: \(String(cString: strerror(errno)))") }
        do throws(OTLPExporter.Failure) {
            if connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 {
                guard errno == EINPROGRESS else { throw OTLPExporter.Failure(description: "\(url): cannot connect: \(String(cString: strerror(errno)))") }
                try TCPConnection.wait(fd, Int16(POLLOUT), "connecting", deadline: deadline, url: url)
                var soError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
                if soError != 0 { throw OTLPExporter.Failure(description: "\(url): cannot connect: \(String(cString: strerror(soError)))") }
            }
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
    }

    deinit { close(fd) }

    private func wait(_ events: Int16, _ what: String) throws(OTLPExporter.Failure) {
        try TCPConnection.wait(fd, events, what, deadline: deadline, url: url)
    }

    private static func wait(_ fd: Int32, _ events: Int16, _ what: String, deadline: ContinuousClock.Instant, url: String) throws(OTLPExporter.Failure) {
        while true {
            let left = deadline - .now
            if left <= .zero { throw OTLPExporter.Failure(description: "\(url): \(what) did not finish before the export timeout") }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let milliseconds = Int32(clamping: left.milliseconds + 1)
            let rc = poll(&descriptor, 1, min(milliseconds, 100))
            if rc > 0 { return }
            if rc < 0 && errno != EINTR { throw OTLPExporter.Failure(description: "\(url): poll: \(String(cString: strerror(errno)))") }
        }
    }

    func write(_ bytes: [UInt8]) throws(OTLPExporter.Failure) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                offset += count
            } else if count < 0 && (errno == EAGAIN || errno == EINTR) {
                try wait(Int16(POLLOUT), "sending")
            } else {
                throw OTLPExporter.Failure(description: "\(url): the connection closed while sending: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// What arrives next (waiting within the deadline); empty when the peer closed.
    func readSome() throws(OTLPExporter.Failure) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return Array(chunk[0..<count]) }
            if errno == EAGAIN || errno == EINTR {
                try wait(Int16(POLLIN), "waiting for the response")
            } else {
                throw OTLPExporter.Failure(description: "\(url): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Everything until the peer closes (the request said `Connection: close`), at most `limit` bytes.
    func readAll(limit: Int) throws(OTLPExporter.Failure) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while out.count < limit {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                out += chunk[0..<count]
                if let response = HTTPResponse.complete(out) { return response }
            } else if count == 0 {
                return out
            } else if errno == EAGAIN || errno == EINTR {
                try wait(Int16(POLLIN), "waiting for the response")
            } else {
                throw OTLPExporter.Failure(description: "\(url): \(String(cString: strerror(errno)))")
            }
        }
        return out
    }
}

enum HTTPResponse {
    /// The response when its headers and `Content-Length` body are all here (servers may keep the connection).
    static func complete(_ bytes: [UInt8]) -> [UInt8]? {
        guard let (received, announced) = body(bytes) else { return nil }
        return received >= announced ? bytes : nil
    }

    /// True when the peer closed before the body its `Content-Length` announced had arrived (RFC 9112 §8: an
    /// incomplete message, never taken for an answer).
    static func isTruncated(_ bytes: [UInt8]) -> Bool {
        guard let (received, announced) = body(bytes) else { return false }
        return received < announced
    }

    /// The body bytes received and the `Content-Length` announced; nil before the end of the head, or when
    /// there is no such header or it is not a count. Counted by subtraction, so a length near Int.max cannot
    /// overflow.
    private static func body(_ bytes: [UInt8]) -> (received: Int, announced: Int)? {
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)), length >= 0
        else { return nil }
        return (bytes.count - end.upperBound, length)
    }
}
