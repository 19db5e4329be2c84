import CYAML

/// Why a text is not one YAML document, with the 1-based line libyaml stopped at.
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    public var line: Int?
    public var problem: String
    public var description: String { "not valid YAML: " + problem }
}

/// The single document in `text` as a tree of nodes, nil for an empty text. Built without recursion from
/// libyaml's events (its parser keeps its own stack), so the depth of the text bounds only memory.
/// Aliases (`*name`) are refused: nothing nfskeeper reads needs them, and they make a small text a huge tree.
public func composeYAML(_ text: String) throws(YAMLError) -> YAMLNode? {
    let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    defer { parser.deallocate() }
    guard yaml_parser_initialize(parser) == 1 else { throw YAMLError(line: nil, problem: "libyaml: out of memory") }
    defer { yaml_parser_delete(parser) }
    var bytes = Array(text.utf8)
    return try bytes.withUnsafeMutableBufferPointer { (input) throws(YAMLError) -> YAMLNode? in
        yaml_parser_set_input_string(parser, input.baseAddress, input.count)
        var composer = Composer()
        while !composer.finished {
            var event = yaml_event_t()
            guard yaml_parser_parse(parser, &event) == 1 else { throw Composer.error(of: parser.pointee) }
            defer { yaml_event_delete(&event) }
            try composer.take(event)
        }
        return composer.document
    }
}

/// Folds the event stream into nodes: an open sequence or mapping per level, closed by its end event.
struct Composer {
    private enum Open {
        case sequence([YAMLNode], line: Int)
        case mapping([(key: YAMLNode, value: YAMLNode)], pendingKey: YAMLNode?, line: Int)
    }

    private var open: [Open] = []
    private var documents = 0
    private(set) var document: YAMLNode?
    private(set) var finished = false

    mutating func take(_ event: yaml_event_t) throws(YAMLError) {
        let line = Int(event.start_mark.line) + 1
        switch event.type {
        case YAML_STREAM_END_EVENT: finished = true
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 { throw YAMLError(line: line, problem: "more than one document (---)") }
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            add(YAMLNode(.scalar(text), line: line))
        case YAML_SEQUENCE_START_EVENT: open.append(.sequence([], line: line))
        case YAML_MAPPING_START_EVENT: open.append(.mapping([], pendingKey: nil, line: line))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT: close()
        case YAML_ALIAS_EVENT: throw YAMLError(line: line, problem: "aliases (*name) are not supported here")
        default: break
        }
    }

    private mutating func close() {
        switch open.popLast() {
        case .sequence(let items, let line)?: add(YAMLNode(.sequence(items), line: line))
        case .mapping(let pairs, _, let line)?: add(YAMLNode(.mapping(pairs), line: line))
        case nil: break
        }
    }

    private mutating func add(_ node: YAMLNode) {
        switch open.popLast() {
        case nil: document = node
        case .sequence(var items, let line)?:
            items.append(node)
            open.append(.sequence(items, line: line))
        case .mapping(var pairs, let key?, let line)?:
            pairs.append((key, node))
            open.append(.mapping(pairs, pendingKey: nil, line: line))
        case .mapping(let pairs, nil, let line)?:
            open.append(.mapping(pairs, pendingKey: node, line: line))
        }
    }

    static func error(of parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "libyaml error \(parser.error.rawValue)"
        let context = parser.context.map { String(cString: $0) + ": " } ?? ""
        return YAMLError(line: Int(parser.problem_mark.line) + 1, problem: context + problem)
    }
}
