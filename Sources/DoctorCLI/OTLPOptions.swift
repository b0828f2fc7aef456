import DoctorExport
import Foundation
import TOMLKit

/// Where and how `--format otlp` exports, resolved from (highest first) the command line (`--format otlp=URL`,
/// `--otlp-protocol`, `--otlp-header`, `--otlp-timeout`), the standard variables (`OTEL_EXPORTER_OTLP_ENDPOINT`,
/// `…_PROTOCOL`, `…_HEADERS`, `…_TIMEOUT`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`), the `[otlp]` table
/// of `~/.config/pds/observability.toml`, and the defaults (`http/protobuf` to `http://localhost:4318`, 10 s).
/// The result is DoctorExport's `OTLPSettings`; the export itself is DoctorExport's.
enum OTLPOptions {
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
        typealias Transport = OTLPSettings.Transport
        func variable(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let protocolText = protocolFlag ?? variable("OTEL_EXPORTER_OTLP_PROTOCOL") ?? file.protocolName ?? Transport.httpProtobuf.rawValue
        guard let transport = Transport(rawValue: protocolText) else {
            throw UsageError("unknown OTLP protocol '\(protocolText)'; use one of \(Transport.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let endpoint = destination ?? variable("OTEL_EXPORTER_OTLP_ENDPOINT") ?? file.endpoint ?? transport.defaultEndpoint
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
        return OTLPSettings(endpoint: endpoint, transport: transport, headers: headers, timeout: timeout, serviceName: serviceName, resourceAttributes: attributes)
    }
}
