/// YAML 1.2 core-schema recognisers for plain scalars (no regular expressions: they sit on the hot path).
public enum YAMLCore {
    /// `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`.
    public static func isInteger(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.hasPrefix("0x") {
            return digits.count > 2 && digits.dropFirst(2).allSatisfy(\.isHexDigit)
        }
        if digits.hasPrefix("0o") {
            return digits.count > 2 && digits.dropFirst(2).allSatisfy { ("0"..."7").contains($0) }
        }
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    public static func isFloat(_ text: String) -> Bool {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "-.inf", ".nan", ".NaN", ".NAN": return true
        default: break
        }
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }) else {
            return false
        }
        return Double(text) != nil
    }
}
