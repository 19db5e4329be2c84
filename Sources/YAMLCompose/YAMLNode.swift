/// One node of a YAML document, as libyaml's parser delivered it: a scalar's text, a sequence's items or a
/// mapping's pairs in file order, and the 1-based line it starts on (for errors that name it).
/// Tags are not interpreted: a reader asks for the type it expects (`bool`, `number`).
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        case scalar(String)
        case sequence([YAMLNode])
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    public var content: Content
    public var line: Int

    public init(_ content: Content, line: Int) {
        (self.content, self.line) = (content, line)
    }

    public var scalar: String? {
        if case .scalar(let text) = content { text } else { nil }
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { items } else { nil }
    }

    public var mapping: [(key: YAMLNode, value: YAMLNode)]? {
        if case .mapping(let pairs) = content { pairs } else { nil }
    }

    /// YAML 1.1's booleans, as Yams and PyYAML read them: true/yes/on and false/no/off, in any case.
    public var bool: Bool? {
        switch scalar?.lowercased() {
        case "true", "yes", "on": true
        case "false", "no", "off": false
        default: nil
        }
    }

    /// A decimal number (`5`, `-1`, `0.25`, `1e3`, `1_000`); nil for anything else, infinities and NaN included.
    public var number: Double? {
        guard let text = scalar?.filter({ $0 != "_" }), let first = text.utf8.first,
              first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
              !text.lowercased().contains("x"), let value = Double(text), value.isFinite else { return nil }
        return value
    }
}
