import Mounts
import PositConfig
import Reports

/// Where one configured path lives on this node: on an NFS share (which server and export) or not.
public struct Placement: Codable, Sendable, Hashable {
    /// The setting that names the path, as the product's documentation writes it (`Server.DataDir`).
    public var setting: String
    public var path: String
    public var mountPoint: String?
    public var fsType: String?
    /// `server:/export` for NFS.
    public var source: String?
    public var shared: Bool
    /// Where the state really is, the same text on every node that shares it: `nfs server:/export/dir`,
    /// else `local <path>` (a node's own disk: the fleet adds the node, never the same place as another's).
    public var location: String
    /// What the guide asks of the place, which tells the fleet how to compare it across nodes.
    public var requirement: Requirement = .either

    public enum Requirement: String, Codable, Sendable, Hashable {
        /// On NFS, one place for every node (DataDir, shared storage).
        case shared
        /// Off NFS, on each node's own disk (SQLite).
        case local
        /// Anywhere, but a place of each node's own (Connect's metrics).
        case perNode = "per-node"
        /// Either is right (a scratch path the Local plugin does not share).
        case either
    }
}

/// One product's requirements as this node can judge them.
public struct ProductReadiness: Codable, Sendable {
    public var product: PositProduct
    public var version: String?
    public var serviceUser: String
    public var serviceUID: UInt32?
    public var serviceGID: UInt32?
    public var placements: [Placement] = []
    /// Workbench with Project Sharing on: one path on each NFS volume that holds shared projects (home
    /// directories, or the projects root), which must keep ACLs.
    public var projectSharingPaths: [String] = []
    /// Data directories on NFS the service account writes to: tried as that account by `measure`.
    public var writeTrials: [WriteTrial] = []
    public var findings: [Finding] = []

    init(product: PositProduct, version: String?, serviceUser: String, facts: NodeFacts) {
        (self.product, self.version, self.serviceUser) = (product, version, serviceUser)
        let user = facts.passwd.user(serviceUser)
        (serviceUID, serviceGID) = (user?.uid, user?.gid)
    }

    mutating func add(_ severity: Severity, _ rule: String, _ message: String, fix: String? = nil) {
        findings.append(Finding(severity, Rule("\(product.rulePrefix)-\(rule)"), subject: product.rawValue, message,
                                fix: fix))
    }

    /// Places `path` and requires it on NFS (`shared`) or off it; a finding when it is not so.
    @discardableResult
    mutating func require(_ setting: String, _ path: String, shared: Bool, _ rule: String, why: String,
                          facts: NodeFacts) -> Placement {
        var placement = Self.place(setting, path, facts)
        placement.requirement = shared ? .shared : .local
        placements.append(placement)
        guard placement.shared != shared else { return placement }
        let here = placement.shared ? "on the NFS share \(placement.source ?? "")"
            : "on \(placement.mountPoint ?? "/") (\(placement.fsType ?? "no mount found"))"
        add(.crit, rule, "\(setting) = \(path) is \(here), but \(why)",
            fix: shared ? "point \(setting) at a directory on the NFS share that every node mounts"
                : "point \(setting) at a directory on this node's local disk")
        return placement
    }

    static func place(_ setting: String, _ path: String, _ facts: NodeFacts) -> Placement {
        let normalized = MountTable.normalize(path)
        guard let mount = facts.mount(of: normalized) else {
            return Placement(setting: setting, path: path, shared: false, location: "local " + normalized)
        }
        let location = mount.isNFS ? "nfs \(mount.source)\(mount.pathInFilesystem(normalized))"
            : "local " + normalized
        return Placement(setting: setting, path: path, mountPoint: mount.mountPoint, fsType: mount.fsType,
                         source: mount.isNFS ? mount.source : nil, shared: mount.isNFS, location: location)
    }
}

/// A data directory the service account must write to, and what happened when this node tried, as that
/// account, through its own mount (`measure`; nil until then).
public struct WriteTrial: Codable, Sendable, Hashable {
    public enum Result: String, Codable, Sendable {
        case ok, failed, notFound = "not-found", timedOut = "timed-out"

        /// How a report colours it: not there yet is no judgement; anything but ok is critical.
        public var severity: Severity? {
            switch self {
            case .ok: .ok
            case .notFound: nil
            case .failed, .timedOut: .crit
            }
        }
    }

    public var setting: String
    public var path: String
    public var result: Result?
    /// The step that failed and the error, when `failed`.
    public var detail: String?
}
