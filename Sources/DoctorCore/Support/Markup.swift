/// Text made safe for XML and HTML content and double-quoted attributes: `&`, `<`, `>` and `"` escaped,
/// characters XML 1.0 cannot carry (controls other than tab and line breaks, U+FFFE, U+FFFF) replaced by U+FFFD.
/// `apostrophes` also escapes `'`, for HTML that may end up in single-quoted contexts. Used by the JUnit format
/// and `doctor serve`'s status page.
public enum Markup {
    public static func escape(_ text: String, apostrophes: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'" where apostrophes: out += "&#39;"
            case "\n", "\t", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value): out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
