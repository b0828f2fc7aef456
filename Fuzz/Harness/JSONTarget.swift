import DoctorCore

/// The streaming JSON scanner on the input, and the `json` probe on the input as a file (its select paths
/// reach into what a vault's metadata holds).
enum JSONTarget {
    static let probe = ProbeFileTarget(name: "json", check: """
        probe: {type: json, path: "FILE", select: [version, profile.name, "kdf.params[0]", created]}
        expect: {valid: true}
        """)

    static func run(_ bytes: [UInt8]) {
        _ = try? JSONScan.parse(bytes)
        probe.run(bytes)
    }
}
