/// A node's name as the other nodes and the share's file names know it: a host name (RFC 1123
/// letters, digits, '-' and '.', starting with a letter or digit), at most 64 characters.
///
/// Its file form (`fileComponent`) swaps '-' for '_', because '-' separates the fields of
/// temporary names. '_' is not allowed in a name, so the mapping is injective: two nodes never
/// share a report file, a marker or a prefix of temporary names.
public struct NodeName: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public static let maxLength = 64

    public struct Invalid: Error, CustomStringConvertible {
        public var name: String
        public var description: String {
            let shown = String(
                name.unicodeScalars.prefix(80).map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
            return
                "'\(shown)' is not a node name: a host name of at most \(NodeName.maxLength) letters, "
                + "digits, '-' and '.'"
                + ", starting with a letter or digit (pass --node-name)"
        }
    }

    public init(_ text: String) throws(Invalid) {
        let scalars = Array(text.unicodeScalars)
        func allowed(_ s: Unicode.Scalar) -> Bool {
            s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s))
        }
        guard (1...Self.maxLength).contains(scalars.count), allowed(scalars[0]),
            scalars.allSatisfy({ allowed($0) || $0 == "-" || $0 == "." })
        else { throw Invalid(name: text) }
        rawValue = text
    }

    /// The name as it stands in file names: '-' → '_'.
    public var fileComponent: String { String(rawValue.map { $0 == "-" ? "_" : $0 }) }

    /// The name a file component stands for; nil when it is no node's file form.
    public init?(fileComponent: String) {
        // A file name that maps to no valid node name is not a report's.
        guard !fileComponent.contains("-"), let name = try? NodeName(String(fileComponent.map { $0 == "_" ? "-" : $0 }))
        else {
            return nil
        }
        self = name
    }

    public var description: String { rawValue }
}
