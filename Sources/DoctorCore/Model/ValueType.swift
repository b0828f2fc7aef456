/// The declared type of a probe parameter or of an observation. Scalars in the catalog are parsed and checked
/// against it at load time (with their position); values that contain `${…}` are checked once expanded.
public indirect enum ValueType: Sendable, Hashable {
    /// Any non-null scalar, kept as its text.
    case string
    /// `true` or `false` (YAML 1.2: `yes`/`no` are strings, so they are rejected).
    case bool
    /// A plain integer.
    case integer
    /// A plain integer or decimal number.
    case number
    /// A duration with a unit: `250ms`, `2s`, `1m30s`, `1h`, `500us`.
    case duration
    /// A byte count: `4096`, `64M`, `64MiB`, `1G`, `512k`.
    case byteSize
    /// A permission mode, always read as octal: `"0600"`, `0600`, `600`, `"4755"`.
    case fileMode
    /// A user or group: a name, or a numeric id (`${UID}`).
    case principal
    /// One of a fixed set of words.
    case enumeration([String])
    /// A regular expression (compiled once, at load time).
    case regex
    /// A list of values.
    case list(ValueType)
    /// A single value or a list of them.
    case oneOrMany(ValueType)
    /// A mapping from strings to values.
    case map(ValueType)
    /// Whatever the probe observes, typed as it comes (a string, number, boolean or list): for observations a
    /// check names itself, such as a D-Bus property. Operands are read as YAML types them (`3` is a number).
    case dynamic

    /// A short phrase for messages and docs: "a duration such as 2s or 250ms".
    public var phrase: String {
        switch self {
        case .string: "a string"
        case .bool: "true or false"
        case .integer: "an integer"
        case .number: "a number"
        case .duration: "a duration such as 2s, 250ms or 1m30s"
        case .byteSize: "a size such as 4096, 64M or 1GiB"
        case .fileMode: "an octal mode such as \"0600\""
        case .principal: "a user or group name, or a numeric id"
        case .enumeration(let words): "one of " + words.map { "'\($0)'" }.joined(separator: ", ")
        case .regex: "a regular expression"
        case .list(let element): "a list of \(element.pluralPhrase)"
        case .oneOrMany(let element): "\(element.phrase), or a list of them"
        case .map(let element): "a mapping of names to \(element.pluralPhrase)"
        case .dynamic: "a string, number, boolean or list"
        }
    }

    var pluralPhrase: String {
        switch self {
        case .string: "strings"
        case .bool: "booleans"
        case .integer: "integers"
        case .number: "numbers"
        case .duration: "durations"
        case .byteSize: "sizes"
        case .fileMode: "octal modes"
        case .principal: "users or groups"
        case .enumeration: "words (\(phrase))"
        case .regex: "regular expressions"
        case .list, .oneOrMany, .map, .dynamic: "values"
        }
    }

    /// True for the types whose values are numbers (and so can be compared with lt/le/gt/ge).
    public var isOrdered: Bool {
        switch self {
        case .integer, .number, .duration, .byteSize, .string, .dynamic: true
        default: false
        }
    }
}
