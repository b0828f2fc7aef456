/// Parsing and printing of byte sizes (`64M`, `64MiB`, `4096`). Units are binary (K = 1024). `infinity` (no
/// limit, as systemd and getrlimit say it) is `Int64.max`, above every finite size.
public enum ByteSize {
    public static let infinity = Int64.max

    public static func bytes(_ text: String) -> Int64? {
        if text == "infinity" { return infinity }
        let digits = text.prefix { $0.isNumber }
        guard !digits.isEmpty, let number = Int64(digits) else { return nil }
        let unit = text.dropFirst(digits.count).lowercased()
        let shift: Int64
        switch unit {
        case "", "b": shift = 0
        case "k", "kb", "kib": shift = 10
        case "m", "mb", "mib": shift = 20
        case "g", "gb", "gib": shift = 30
        case "t", "tb", "tib": shift = 40
        default: return nil
        }
        let (result, overflow) = number.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? nil : result
    }

    public static func format(_ bytes: Int64) -> String {
        if bytes == infinity { return "infinity" }
        for (shift, unit) in [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")] where bytes >= (1 << shift) {
            if bytes % (1 << shift) == 0 { return "\(bytes >> shift) \(unit)" }
        }
        return "\(bytes) B"
    }
}
