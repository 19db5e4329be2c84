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
    /// Fingerprint by role (`data-dir`, `shared-storage`, `metrics-path`, `database`): where the product
    /// keeps that state — the NFS server, export and path, or this node's local disk.
    public var targets: [String: String]

    public init(product: PositProduct, version: String?, serviceUser: String, serviceUID: UInt32?,
                serviceGID: UInt32?, settings: [String: String], targets: [String: String]) {
        (self.product, self.version, self.serviceUser) = (product, version, serviceUser)
        (self.serviceUID, self.serviceGID, self.settings, self.targets) = (serviceUID, serviceGID, settings, targets)
    }

    /// Workbench settings that differ between nodes by design (each node's own address).
    public static let nodeSpecificSettings: Set<String> = [
        "rserver.conf:www-host-name", "rserver.conf:www-address", "rserver.conf:www-port",
    ]
}
