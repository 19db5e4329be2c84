/// The Posit products that keep state on shared storage.
public enum PositProduct: String, CaseIterable, Codable, Sendable, Comparable {
    case workbench
    case packageManager = "package-manager"
    case connect

    public var name: String {
        switch self {
        case .workbench: "Posit Workbench"
        case .packageManager: "Posit Package Manager"
        case .connect: "Posit Connect"
        }
    }

    /// Package names in dpkg and rpm (Workbench's was rstudio-server before 2021).
    public var packages: [String] {
        switch self {
        case .workbench: ["rstudio-workbench", "rstudio-server"]
        case .packageManager: ["rstudio-pm"]
        case .connect: ["rstudio-connect"]
        }
    }

    public var configDirectory: String {
        switch self {
        case .workbench: "/etc/rstudio"
        case .packageManager: "/etc/rstudio-pm"
        case .connect: "/etc/rstudio-connect"
        }
    }

    /// The product's gcfg configuration file (Package Manager, Connect).
    public var gcfgFile: String? {
        switch self {
        case .workbench: nil
        case .packageManager: "/etc/rstudio-pm/rstudio-pm.gcfg"
        case .connect: "/etc/rstudio-connect/rstudio-connect.gcfg"
        }
    }

    /// The service account the product runs as unless configured otherwise.
    public var defaultServiceUser: String {
        switch self {
        case .workbench: "rstudio-server"
        case .packageManager: "rstudio-pm"
        case .connect: "rstudio-connect"
        }
    }

    /// Prefix of this product's rule ids.
    public var rulePrefix: String {
        switch self {
        case .workbench: "wb"
        case .packageManager: "pm"
        case .connect: "connect"
        }
    }

    /// Settings the guides let differ between nodes, as `file:section.key` (the file's `key=value`
    /// entries, section empty before any `[section]`). Workbench: each node's own address —
    /// `www-host-name` in `load-balancer` (`[config]`), `www-address` and `www-port` in `rserver.conf`
    /// (Workbench Admin Guide, Load balancing › Configuration, requirement 2). The others: none.
    public var nodeSpecificSettings: Set<String> {
        switch self {
        case .workbench: ["load-balancer:config.www-host-name", "load-balancer:www-host-name",
                          "rserver.conf:www-address", "rserver.conf:www-port"]
        case .packageManager, .connect: []
        }
    }

    /// Whether the guide requires an identical configuration directory on every node: Workbench's
    /// ("must be identical") and Package Manager's ("ensure … are identical") do; Connect's says
    /// identical configuration is "not strictly required" (HA checklist, note).
    public var requiresIdenticalConfiguration: Bool { self != .connect }

    public static func < (a: PositProduct, b: PositProduct) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What a node publishes about one product for the fleet: never a value, only keyed fingerprints
/// (HMAC with the cluster's key) that tell equal from different.
public struct ProductSummary: Codable, Sendable, Hashable {
    public var product: PositProduct
    public var version: String?
    public var serviceUser: String
    public var serviceUID: UInt32?
    public var serviceGID: UInt32?
    /// Fingerprint by `file:section.key` (section empty for flat files), for every setting present.
    public var settings: [String: String]
    /// Fingerprint by setting (`Server.DataDir`, `server-shared-storage-path`) or role (`database`,
    /// `encryption-key`) of the state every node must share: the NFS server, export and path, or this
    /// node's local disk (never the same as another node's).
    public var targets: [String: String]
    /// Fingerprint by setting of the places each node must have of its own (Connect's Metrics.DataPath):
    /// two nodes with one fingerprint share what they must not.
    public var perNode: [String: String]?

    public init(product: PositProduct, version: String?, serviceUser: String, serviceUID: UInt32?,
                serviceGID: UInt32?, settings: [String: String], targets: [String: String],
                perNode: [String: String] = [:]) {
        (self.product, self.version, self.serviceUser) = (product, version, serviceUser)
        (self.serviceUID, self.serviceGID, self.settings, self.targets) = (serviceUID, serviceGID, settings, targets)
        self.perNode = perNode
    }
}

/// What a node publishes about its users and groups for the fleet (Workbench requirement 3: "usernames
/// and user IDs must be identical on all nodes", and the groups users and rstudio-server use; Connect,
/// Consistent Users and Groups): a keyed fingerprint of each name's id, never the id, so that the fleet
/// can name the accounts that differ. System accounts (ids below 1000), whose ids depend on the order
/// packages were installed in, are left out; the products' service accounts are compared on their own.
public struct AccountSummary: Codable, Sendable, Hashable {
    /// Fingerprint of the uid by user name.
    public var users: [String: String]
    /// Fingerprint of the gid by group name.
    public var groups: [String: String]
    /// Accounts beyond `AccountSummary.limit` were not published.
    public var truncated: Bool

    /// Users and groups published at most, each: with 32-character names the report stays well under
    /// the 1 MiB other nodes read of it (`NodeDirectory.reportLimit`).
    public static let limit = 4_000

    public init(users: [String: String], groups: [String: String], truncated: Bool) {
        (self.users, self.groups, self.truncated) = (users, groups, truncated)
    }
}
