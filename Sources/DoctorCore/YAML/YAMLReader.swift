import CYaml

/// A problem found while reading YAML: a syntax error, a duplicate key, or a construct the catalog does not use.
public struct YAMLProblem: Sendable, Hashable {
    public var mark: SourceMark
    public var message: String
}

/// Reads YAML text into `YAMLNode` documents on libyaml's event stream (the libyaml that Yams bundles).
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

    /// An open collection while events stream in.
    private enum Frame {
        case sequence([YAMLNode], SourceMark, anchor: String?)
        case mapping([YAMLPair], SourceMark, pendingKey: YAMLScalar?, seen: [String: SourceMark], anchor: String?)
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
                stack.append(.sequence([], mark, anchor: event.data.sequence_start.anchor.map { String(cString: $0) }))
            case YAML_MAPPING_START_EVENT:
                let anchor = event.data.mapping_start.anchor.map { String(cString: $0) }
                stack.append(.mapping([], mark, pendingKey: nil, seen: [:], anchor: anchor))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { return }
                switch frame {
                case .sequence(let items, let start, let anchor):
                    let node = YAMLNode.sequence(items, start)
                    if let anchor { anchors[anchor] = node }
                    add(node)
                case .mapping(let pairs, let start, _, _, let anchor):
                    let node = YAMLNode.mapping(pairs, start)
                    if let anchor { anchors[anchor] = node }
                    add(node)
                }
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
            guard let top = stack.popLast() else {
                documents.append(node)
                anchors.removeAll(keepingCapacity: true)
                return
            }
            switch top {
            case .sequence(var items, let start, let anchor):
                items.append(node)
                stack.append(.sequence(items, start, anchor: anchor))
            case .mapping(var pairs, let start, let pendingKey, var seen, let anchor):
                if let key = pendingKey {
                    pairs.append(YAMLPair(key: key, value: node))
                    stack.append(.mapping(pairs, start, pendingKey: nil, seen: seen, anchor: anchor))
                    return
                }
                guard case .scalar(let key) = node else {
                    problems.append(YAMLProblem(mark: node.mark, message: "mapping keys must be plain strings"))
                    let placeholder = YAMLScalar(text: "\u{0}invalid-key", style: .literal, mark: node.mark)
                    stack.append(.mapping(pairs, start, pendingKey: placeholder, seen: seen, anchor: anchor))
                    return
                }
                if key.text == "<<" && key.style == .plain {
                    problems.append(YAMLProblem(mark: key.mark, message: "YAML merge keys ('<<') are not supported; write the keys out"))
                } else if let first = seen[key.text] {
                    problems.append(YAMLProblem(
                        mark: key.mark, message: "duplicate key '\(key.text)' (first defined at \(first))"))
                } else {
                    seen[key.text] = key.mark
                }
                stack.append(.mapping(pairs, start, pendingKey: key, seen: seen, anchor: anchor))
            }
        }
    }
}
