/// Whether Workbench balances sessions across nodes, and how its Local launcher plugin then finds the
/// other nodes — which decides whether the plugin's `scratch-path` must be on shared storage.
///
/// - Load balanced: `load-balancing-enabled=1` in rserver.conf; without that key, the presence of
///   `/etc/rstudio/load-balancer` (Workbench's compatibility rule since 2023.06: "Found …/load-balancer
///   - load balancing enabled for compatibility").
/// - The Local plugin discovers its peers through files in `scratch-path` (the guide's original
///   method: the path must be shared), unless `launcher.local.conf` sets `load-balancing-type=External`,
///   which Workbench 2023.03 and later provide: it then learns the nodes from Workbench itself and the
///   scratch path may be each node's own (Posit support, "Removal of the scratch-path option in load
///   balanced Workbench clusters"; Workbench 2023.03 release notes, rstudio/launcher#42).
public struct WorkbenchBalancing: Sendable, Hashable {
    public var loadBalanced: Bool
    /// `load-balancing-type=External` in launcher.local.conf.
    public var externalLocalPlugin: Bool
    public var version: ProductVersion?

    /// The first release whose Local plugin can balance externally.
    public static let firstExternal = ProductVersion("2023.03")

    /// From rserver.conf's and launcher.local.conf's settings (last occurrence of each key).
    public init(rserver: [String: String], launcherLocal: [String: String], loadBalancerFileExists: Bool,
                version: String?) {
        let enabled = rserver["load-balancing-enabled"].map { ["1", "true", "yes"].contains($0.lowercased()) }
        loadBalanced = enabled ?? loadBalancerFileExists
        externalLocalPlugin = launcherLocal["load-balancing-type"]?.lowercased() == "external"
        self.version = version.map(ProductVersion.init)
    }

    /// External balancing is there to use: asked for, and not an older release that ignores the key
    /// (an unknown version is taken at its configuration's word).
    public var externalInEffect: Bool {
        externalLocalPlugin && (version.map { $0 >= Self.firstExternal } ?? true)
    }

    /// The scratch path must be shared: Workbench balances and the Local plugin finds its peers there.
    public var scratchMustBeShared: Bool { loadBalanced && !externalInEffect }

    /// Why, in a sentence for a finding.
    public var scratchReason: String {
        if !loadBalanced {
            return "Workbench does not balance sessions here (no load-balancing-enabled=1, no load-balancer file)"
        }
        if externalInEffect { return "the Local plugin balances externally (load-balancing-type=External)" }
        if externalLocalPlugin, let version {
            return "Workbench \(version) predates the Local plugin's external balancing (2023.03): "
                + "load-balancing-type=External is ignored and the plugin finds its peers in scratch-path"
        }
        return "Workbench balances sessions and the Local plugin finds its peers in scratch-path "
            + "(or set load-balancing-type=External in launcher.local.conf, Workbench 2023.03 and later)"
    }
}
