/// A finding's rule id: the stable name alerting rules, `--json` users and the README share (every id
/// is in `RuleCatalog`). In JSON and labels it is its text; in code, the ids that steer what a command
/// does next are named members, so control flow never compares free strings.
public struct Rule: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
                    CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// A call on the mount did not return within the timeout.
    public static let hung: Rule = "hung"
    /// No mount holds the path.
    public static let notMounted: Rule = "not-mounted"
    /// The path's mount is not NFS.
    public static let notNFS: Rule = "not-nfs"
    /// No NFS mount to judge; the mount table is unreadable.
    public static let noNFS: Rule = "no-nfs"
    public static let input: Rule = "input"
    /// A live option differs from its declaration.
    public static let drift: Rule = "drift"
    /// The share was swapped under the provisioner.
    public static let swapped: Rule = "swapped"
    /// The launcher's scratch-path setting.
    public static let scratchPath: Rule = "scratch-path"
    /// Locks stay on this node; a link-based lock's link not seen; hard links refused.
    public static let locksLocal: Rule = "locks-local"
    public static let linkNotSeen: Rule = "link-not-seen"
    public static let hardlinks: Rule = "hardlinks"
    /// NFSv4 id mapping shows nobody; ids differ between this node and the server.
    public static let idmap: Rule = "idmap"
    public static let idMismatch: Rule = "id-mismatch"
}
