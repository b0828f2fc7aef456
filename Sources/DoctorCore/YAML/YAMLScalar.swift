/// A YAML scalar with the facts the strict decoder needs: its text, whether it was quoted, and where it is.
public struct YAMLScalar: Sendable, Hashable {
    public enum Style: Sendable, Hashable {
        /// A plain (unquoted) scalar: YAML 1.2 core-schema resolution applies (`true`, `12`, `null`, ...).
        case plain
        /// Quoted or block scalar, or one tagged `!!str`: always a string.
        case literal
    }

    public var text: String
    public var style: Style
    public var mark: SourceMark

    public init(text: String, style: Style, mark: SourceMark) {
        self.text = text
        self.style = style
        self.mark = mark
    }

    /// True for a plain scalar that YAML 1.2 resolves to null (`~`, `null`, or nothing at all).
    public var isNull: Bool {
        style == .plain && (text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL")
    }
}
