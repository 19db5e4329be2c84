import Mounts

/// What a probe measures: how long a change made on the server ("another node") takes to show
/// through this node's mount.
public enum Scenario: String, CaseIterable, Codable, Sendable {
    /// `stat` the name first (ENOENT, now cached), then create it on the server: the case that hurts.
    case negativeLookup = "negative-lookup"
    /// Create on the server, then `stat` a name this node never looked up.
    case freshName = "fresh-name"
    /// The new name appears in a fresh opendir/readdir of its directory.
    case listing
    /// The server appends to a file this node has cached; `stat` shows the new size.
    case attributeChange = "attribute-change"
    /// The server removes a file this node has cached; `stat` returns ENOENT.
    case deletion

    /// The longest delay the kernel's documented caching allows for this scenario, in seconds.
    public func predictedWindow(_ o: NFSMountOptions) -> Int {
        switch self {
        case .negativeLookup: o.negativeLookupWindow.upperBound
        case .freshName: 0
        case .listing: o.cto || o.noac ? 0 : o.acdirmax
        case .attributeChange: o.noac ? 0 : o.acregmax
        case .deletion: o.noac || o.lookupcache == .none ? 0 : o.acdirmax
        }
    }

    /// Whether a delay here makes Package Manager or the Job Launcher miss files.
    var hurts: Bool { self == .negativeLookup || self == .listing || self == .freshName }
}
