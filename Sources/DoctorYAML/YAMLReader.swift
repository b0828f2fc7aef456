// DoctorYAML: the one module that links libyaml. DoctorCore stays free of C; it reads YAML through
// `YAMLParsing`, and this module's `LibYAML` is the implementation doctor uses.
import CLibYAML
import DoctorCore

/// Reads YAML text into `YAMLNode` documents on libyaml's event stream (Debian's libyaml, through the `CLibYAML` system-library target).
///
/// Building this tree directly from events keeps every position and every duplicate key, and skips the
/// tag-resolution and Codable layers that dominate the cost of a general-purpose decode.
public enum YAMLReader {
    /// Parses every document of `bytes`. Problems are collected, never thrown; on a syntax error the
    /// documents read so far are returned with the problem.
    public static func read(_ bytes: UnsafeBufferPointer<UInt8>) -> (documents: [YAMLNode], problems: [YAMLProblem]) {
        var state = State()
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            return ([], [YAMLProblem(mark: SourceMark(line: 1, column: 1), message: "cannot initialise the YAML parser")])
        }
        defer { yaml_parser_delete(&parser) }
        if let base = bytes.baseAddress {
            yaml_parser_set_input_string(&parser, base, bytes.count)
        } else {
            return ([], [])
        }
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                state.problems.append(syntaxProblem(parser))
                break
            }
            let done = event.type == YAML_STREAM_END_EVENT
            state.handle(&event)
            yaml_event_delete(&event)
            if done { break }
        }
        return (state.documents, state.problems)
    }

    public static func read(_ text: String) -> (documents: [YAMLNode], problems: [YAMLProblem]) {
        var copy = text
        return copy.withUTF8 { read($0) }
    }

    private static func syntaxProblem(_ parser: yaml_parser_t) -> YAMLProblem {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        var message = "YAML syntax error: \(problem)"
        if let context = parser.context {
            let ctx = String(cString: context)
            let line = Int(parser.context_mark.line) + 1
            let column = Int(parser.context_mark.column) + 1
            message += " (\(ctx) at \(line):\(column))"
        }
        let mark = SourceMark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        return YAMLProblem(mark: mark, message: message)
    }

    /// An open collection while events stream in; mutated in place on the stack (never popped and re-pushed,
    /// which would copy its arrays on every append).
    private struct Frame {
        var isMapping: Bool
        var mark: SourceMark
        var anchor: String?
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLScalar?
        /// Keys seen, for duplicate detection once a mapping is too large for a linear scan.
        var seen: [String: SourceMark]?
    }

    private struct State {
        var documents: [YAMLNode] = []
        var problems: [YAMLProblem] = []
        var stack: [Frame] = []
        var anchors: [String: YAMLNode] = [:]

        mutating func handle(_ event: inout yaml_event_t) {
            let mark = SourceMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
            switch event.type {
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: Int(scalar.length)), as: UTF8.self)
                var style: YAMLScalar.Style = scalar.style == YAML_PLAIN_SCALAR_STYLE ? .plain : .literal
                if let tag = scalar.tag {
                    let tagText = String(cString: tag)
                    if tagText == "tag:yaml.org,2002:str" {
                        style = .literal
                    } else {
                        problems.append(YAMLProblem(mark: mark, message: "unsupported YAML tag '\(tagText)'"))
                    }
                }
                let node = YAMLNode.scalar(YAMLScalar(text: text, style: style, mark: mark))
                if let anchor = scalar.anchor { anchors[String(cString: anchor)] = node }
                add(node)
            case YAML_SEQUENCE_START_EVENT:
                stack.append(Frame(isMapping: false, mark: mark, anchor: event.data.sequence_start.anchor.map { String(cString: $0) }))
            case YAML_MAPPING_START_EVENT:
                stack.append(Frame(isMapping: true, mark: mark, anchor: event.data.mapping_start.anchor.map { String(cString: $0) }))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { return }
                let node = frame.isMapping ? YAMLNode.mapping(frame.pairs, frame.mark) : YAMLNode.sequence(frame.items, frame.mark)
                if let anchor = frame.anchor { anchors[anchor] = node }
                add(node)
            case YAML_ALIAS_EVENT:
                let name = String(cString: event.data.alias.anchor)
                if let node = anchors[name] {
                    add(node)
                } else {
                    problems.append(YAMLProblem(mark: mark, message: "unknown alias '*\(name)'"))
                    add(.scalar(YAMLScalar(text: "", style: .plain, mark: mark)))
                }
            default:
                break
            }
        }

        /// Adds a finished node to the innermost open collection, or as a document root.
        mutating func add(_ node: YAMLNode) {
            let top = stack.count - 1
            guard top >= 0 else {
                documents.append(node)
                anchors.removeAll(keepingCapacity: true)
                return
            }
            guard stack[top].isMapping else {
                stack[top].items.append(node)
                return
            }
            if let key = stack[top].pendingKey {
                stack[top].pairs.append(YAMLPair(key: key, value: node))
                stack[top].pendingKey = nil
                return
            }
            guard case .scalar(let key) = node else {
                problems.append(YAMLProblem(mark: node.mark, message: "mapping keys must be plain strings"))
                stack[top].pendingKey = YAMLScalar(text: "\u{0}invalid-key", style: .literal, mark: node.mark)
                return
            }
            if key.text == "<<" && key.style == .plain {
                problems.append(YAMLProblem(mark: key.mark, message: "YAML merge keys ('<<') are not supported; write the keys out"))
            } else if let first = firstMark(of: key, in: &stack[top]) {
                problems.append(YAMLProblem(mark: key.mark, message: "duplicate key '\(key.text)' (first defined at \(first))"))
            }
            stack[top].pendingKey = key
        }

        /// Where `key` was first seen in the mapping, recording it if new. Small mappings scan their pairs;
        /// large ones keep a dictionary.
        func firstMark(of key: YAMLScalar, in frame: inout Frame) -> SourceMark? {
            if frame.seen == nil && frame.pairs.count < 16 {
                return frame.pairs.first { $0.key.text == key.text }?.key.mark
            }
            if frame.seen == nil {
                var seen: [String: SourceMark] = [:]
                for pair in frame.pairs where seen[pair.key.text] == nil { seen[pair.key.text] = pair.key.mark }
                frame.seen = seen
            }
            if let first = frame.seen?[key.text] { return first }
            frame.seen?[key.text] = key.mark
            return nil
        }
    }
}
