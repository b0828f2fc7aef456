import Foundation

/// The parsers of untrusted input, one target each. `Fuzz/run` lists them with `DOCTOR_FUZZ_TARGET=list`.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// Catalog bytes → YAML reader → loader (governance, variables) → a bounded run of the read-only probes.
    case catalog
    /// The compiled-catalog cache decoder fed damaged entries.
    case cache
    /// The streaming JSON scanner, and the `json` probe on the input as a file.
    case json
    /// The `toml` probe on the input as a configuration file: TOML parse, Open Sesame's schema, observations.
    case toml
    /// The `audit-chain` probe on the input as an audit log: lines, JSON, the BLAKE3 hash chain.
    case auditChain = "audit-chain"
    /// The Noise IK initiator reading the responder's message after a valid first message.
    case noise
    /// The bus envelope decoder (the daemon's StatusResponse and every message around it).
    case envelope
    /// The exec probe's readers: Nagios plugin output (status line, perf data) and the JSON plugin protocol.
    case exec
    /// Value parsers: durations, sizes, modes, owners, regexes, globs, `${…}` templates, typed settings.
    case values
    /// `doctor serve`'s request handling: request targets, query strings, filters, `max_age`.
    case serve
    /// The OTLP/HTTP response reader (NIOHTTP1's client codec and the exchange handler) and gRPC status texts.
    case otlp

    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["DOCTOR_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("doctor-fuzz: set DOCTOR_FUZZ_TARGET to one of: \(allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        return target
    }()

    func run(_ bytes: [UInt8]) {
        switch self {
        case .catalog: CatalogTarget.run(bytes)
        case .cache: CacheTarget.run(bytes)
        case .json: JSONTarget.run(bytes)
        case .toml: ProbeFileTarget.toml.run(bytes)
        case .auditChain: ProbeFileTarget.auditChain.run(bytes)
        case .noise: NoiseTarget.run(bytes)
        case .envelope: EnvelopeTarget.run(bytes)
        case .exec: ExecTarget.run(bytes)
        case .values: ValuesTarget.run(bytes)
        case .serve: ServeTarget.run(bytes)
        case .otlp: OTLPTarget.run(bytes)
        }
    }
}
