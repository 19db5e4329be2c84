import Check
import Mounts
import PositConfig
import Reports

/// Each product's shared-storage and HA requirements that one node can judge (Posit's admin guides;
/// the README's requirement tables cite them). Cross-node ones (same version, identical
/// configuration, same database) are the fleet's.
enum Requirements {
    static func judge(_ product: PositProduct, _ facts: NodeFacts) -> ProductReadiness {
        switch product {
        case .workbench: workbench(facts)
        case .packageManager: packageManager(facts)
        case .connect: connect(facts)
        }
    }

    /// `key=value` settings of a Workbench file, the last occurrence winning.
    static func settings(_ facts: NodeFacts, _ path: String) -> [String: String] {
        Dictionary(parseConfigEntries(facts.files[path] ?? "").map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
    }

    static func workbench(_ facts: NodeFacts) -> ProductReadiness {
        let rserver = settings(facts, "/etc/rstudio/rserver.conf")
        var r = ProductReadiness(product: .workbench, version: facts.versions[.workbench],
                                 serviceUser: rserver["server-user"] ?? "rstudio-server", facts: facts)
        serviceUser(&r)
        let local = settings(facts, "/etc/rstudio/launcher.local.conf")
        let balancing = WorkbenchBalancing(rserver: rserver, launcherLocal: local,
                                           loadBalancerFileExists: facts.files["/etc/rstudio/load-balancer"] != nil,
                                           version: r.version)
        if !balancing.loadBalanced {
            r.add(.warn, "load-balancer", "\(balancing.scratchReason): each node serves only its own sessions",
                  fix: "load-balancing-enabled=1 in /etc/rstudio/rserver.conf (or create /etc/rstudio/load-balancer)")
        }
        database(&r, settings(facts, "/etc/rstudio/database.conf"), facts)
        if let path = rserver["server-shared-storage-path"] {
            r.require("server-shared-storage-path", path, shared: true, "shared-storage",
                      why: "every node must reach the same shared storage", facts: facts)
        } else {
            r.add(.crit, "shared-storage", "server-shared-storage-path is not set: Workbench keeps shared state "
                  + "under /var/lib/rstudio-server, on each node's own disk",
                  fix: "set server-shared-storage-path in /etc/rstudio/rserver.conf to a directory on the NFS share")
        }
        scratch(&r, local, balancing, facts)
        homes(&r, facts)
        homeMounts(&r, rserver, facts)
        projectSharing(&r, rserver, facts)
        return r
    }

    static func serviceUser(_ r: inout ProductReadiness) {
        guard r.serviceUID == nil else { return }
        r.add(.crit, "server-user", "the service account \(r.serviceUser) does not exist on this node",
              fix: "create \(r.serviceUser) with the same uid and gid as on the other nodes")
    }

    static func database(_ r: inout ProductReadiness, _ conf: [String: String], _ facts: NodeFacts) {
        let provider = (conf["provider"] ?? "sqlite").lowercased()
        guard provider == "postgresql" || provider == "postgres" else {
            r.add(.crit, "database", "database.conf provider is \(provider): load-balanced nodes need PostgreSQL "
                  + "(SQLite cannot share state between nodes)",
                  fix: "provider=postgresql in /etc/rstudio/database.conf, the same database on every node")
            let dir = conf["directory"] ?? "/var/lib/rstudio-server"
            r.require("database.conf directory", dir, shared: false, "sqlite-on-nfs",
                      why: "SQLite on NFS corrupts its database", facts: facts)
            return
        }
    }

    /// The home directories' NFS mounts, judged as `check` judges the share's: each user's session metadata
    /// (unless `session-use-file-storage=0` keeps it in the database) and suspended sessions live in
    /// `~/.local/share/rstudio` (Session Storage), and a session resumed on another node must find them.
    static func homeMounts(_ r: inout ProductReadiness, _ rserver: [String: String], _ facts: NodeFacts) {
        let state = rserver["session-use-file-storage"] == "0" ? "suspended sessions"
            : "session metadata and suspended sessions"
        var seen = Set<String>()
        for home in homeDirectories(facts) {
            guard let mount = facts.mount(of: MountTable.normalize(home)), mount.isNFS,
                  seen.insert(mount.mountPoint).inserted else { continue }
            let options = NFSMountOptions(parsing: mount.superOptions, fsType: mount.fsType)
            for f in MountRules().findings(mountPoint: mount.mountPoint, options: options) where f.severity >= .warn {
                r.add(f.severity, "home-mount", "\(mount.mountPoint) holds the users' \(state) "
                      + "(~/.local/share/rstudio): \(f.message)", fix: f.fix)
            }
        }
    }

    /// Project Sharing (on by default) works on the volumes that hold the shared projects: the users' home
    /// directories, or `server-project-sharing-root-dir` when set (Project Sharing › Shared projects root
    /// directory). On NFS each needs short attribute caching (0–2 s, not `noac`) and ACLs (`measure`).
    static func projectSharing(_ r: inout ProductReadiness, _ rserver: [String: String], _ facts: NodeFacts) {
        guard rserver["server-project-sharing"] != "0" else { return }
        let roots = rserver["server-project-sharing-root-dir"].map { [$0] } ?? homeDirectories(facts)
        var seen = Set<String>()
        for root in roots {
            guard let mount = facts.mount(of: root), seen.insert(mount.mountPoint).inserted,
                  mount.fsType.hasPrefix("nfs") else { continue }
            r.projectSharingPaths.append(root)
            let o = NFSMountOptions(parsing: mount.superOptions, fsType: mount.fsType)
            let longest = max(o.acregmin, o.acregmax, o.acdirmin, o.acdirmax)
            guard o.noac || longest > 2 else { continue }
            r.add(.warn, "project-sharing", (o.noac ? "\(mount.mountPoint) is mounted noac" :
                    "\(mount.mountPoint) caches attributes up to \(longest) s")
                  + ", and it holds shared projects (\(root)): Project Sharing needs actimeo between 0 and 2",
                  fix: "mount \(mount.mountPoint) with actimeo=2 (umount, then mount), or server-project-sharing=0")
        }
    }

    /// Regular users' (uid 1000–59999) home directories, `/home` when the node lists none.
    static func homeDirectories(_ facts: NodeFacts) -> [String] {
        let people = facts.passwd.users.filter { (1000..<60000).contains($0.uid) }
        return people.isEmpty ? ["/home"] : people.map(\.home)
    }

    /// The Local launcher's scratch path: shared when Workbench balances and the plugin finds its peers
    /// there (`WorkbenchBalancing`); otherwise each node's own is fine.
    static func scratch(_ r: inout ProductReadiness, _ conf: [String: String], _ balancing: WorkbenchBalancing,
                        _ facts: NodeFacts) {
        let path = conf["scratch-path"] ?? "/var/lib/rstudio-launcher"
        guard balancing.scratchMustBeShared else {
            let placement = ProductReadiness.place("scratch-path", path, facts)
            r.placements.append(placement)
            if !placement.shared {
                r.add(.info, "scratch", "scratch-path \(path) is not shared, which is fine: \(balancing.scratchReason)")
            }
            return
        }
        r.require("scratch-path", path, shared: true, "scratch", why: balancing.scratchReason, facts: facts)
    }

    /// Users' home directories (uid 1000–59999) on the share, where sessions keep their state.
    static func homes(_ r: inout ProductReadiness, _ facts: NodeFacts) {
        let homes = homeDirectories(facts)
        let local = homes.filter { !ProductReadiness.place("home", $0, facts).shared }
        guard !local.isEmpty else { return }
        let named = local.prefix(3).joined(separator: ", ") + (local.count > 3 ? ", …" : "")
        r.add(.warn, "home", "\(local.count) of \(homes.count) home directories are not on NFS (\(named)): "
              + "sessions on another node cannot see them",
              fix: "mount the users' home directories from the shared storage on every node")
    }

    /// Package Manager: DataDir shared where it holds files (NFS storage), the same key everywhere on S3
    /// (HA checklist, steps 5 and 6), and a lookup cache that shows other nodes' new packages soon.
    static func packageManager(_ facts: NodeFacts) -> ProductReadiness {
        let gcfg = Gcfg(parsing: facts.files[PositProduct.packageManager.gcfgFile!] ?? "")
        let storage = PackageManagerStorage(gcfg)
        var (r, dataDir, data) = gcfgProduct(.packageManager, gcfg, facts, runAs: ("Server", "RunAs"),
                                             dataDirShared: storage.usesFiles)
        if !storage.usesFiles && !data.shared {
            r.add(.info, "data-dir", "Server.DataDir \(dataDir) is not shared, which is fine: every storage class "
                  + "is on S3 (\(storage.describe))")
        }
        if data.shared, let mount = facts.mount(of: dataDir) {
            r.writeTrials.append(WriteTrial(setting: "Server.DataDir", path: dataDir))
            let o = NFSMountOptions(parsing: mount.superOptions, fsType: mount.fsType)
            if o.lookupcache == .all && o.negativeLookupWindow.upperBound > 5 {
                r.add(.warn, "lookupcache", "\(mount.mountPoint) hides another node's new file for up to "
                      + "\(o.negativeLookupWindow.upperBound) s: Package Manager nodes miss each other's packages",
                      fix: "mount \(mount.mountPoint) with lookupcache=pos (umount, then mount)")
            }
        }
        if storage.usesS3 {
            let key = gcfg.value("Server", "EncryptionKeyPath") ?? dataDir + "/rstudio-pm.key"
            var placement = ProductReadiness.place("Server.EncryptionKeyPath", key, facts)
            placement.requirement = .either
            r.placements.append(placement)
            if facts.secret(key) == nil {
                r.add(.crit, "encryption-key", "S3 storage: the encryption key \(key) is missing or unreadable "
                      + "here; every node needs the same key", fix: "copy \(key) from another node (mode 0600)")
            }
        }
        return r
    }

    /// Connect: DataDir shared; a customised Database.Dir and a custom landing page's LandingDir shared;
    /// Metrics.DataPath unique per server (HA checklist, steps 3 to 6).
    static func connect(_ facts: NodeFacts) -> ProductReadiness {
        let gcfg = Gcfg(parsing: facts.files[PositProduct.connect.gcfgFile!] ?? "")
        var (r, dataDir, data) = gcfgProduct(.connect, gcfg, facts, runAs: ("Applications", "RunAs"))
        if let path = gcfg.value("Database", "Dir") {
            r.require("Database.Dir", path, shared: true, "database-dir",
                      why: "a customised Database.Dir must be one shared location for every node", facts: facts)
        }
        if let path = gcfg.value("Server", "LandingDir") {
            r.require("Server.LandingDir", path, shared: true, "landing-dir",
                      why: "a custom landing page's LandingDir must be one shared location for every node",
                      facts: facts)
        }
        metrics(&r, gcfg, dataDir: dataDir, data, facts)
        return r
    }

    /// Metrics.DataPath: each server's own. Its default lies in DataDir, which is shared: every node then
    /// writes the same files. A path set on NFS is right when it differs per node, which the fleet judges.
    static func metrics(_ r: inout ProductReadiness, _ gcfg: Gcfg, dataDir: String, _ data: Placement,
                        _ facts: NodeFacts) {
        guard gcfg.value("Metrics", "Enabled")?.lowercased() != "false" else { return }
        let path = gcfg.value("Metrics", "DataPath") ?? dataDir + "/metrics"
        var placement = ProductReadiness.place("Metrics.DataPath", path, facts)
        placement.requirement = .perNode
        r.placements.append(placement)
        guard placement.shared else { return }
        if gcfg.value("Metrics", "DataPath") == nil {
            r.add(.crit, "metrics-path", "Metrics.DataPath is not set: its default \(path) is in the shared "
                  + "Server.DataDir, the same directory for every node",
                  fix: "set [Metrics] DataPath to a directory unique to each node (local disk, or a per-node "
                      + "directory on the share)")
        } else {
            r.add(.info, "metrics-path", "Metrics.DataPath \(path) is on NFS: right only if no other node uses it "
                  + "(nfskeeper fleet compares)")
        }
    }

    /// What Package Manager and Connect share: the gcfg's syntax, the service account, `Server.DataDir`
    /// (shared, unless `dataDirShared` is false: then either place is right), and PostgreSQL (else SQLite
    /// off NFS).
    static func gcfgProduct(_ product: PositProduct, _ gcfg: Gcfg, _ facts: NodeFacts, runAs: (String, String),
                            dataDirShared: Bool = true) -> (ProductReadiness, dataDir: String, Placement) {
        var r = ProductReadiness(product: product, version: facts.versions[product],
                                 serviceUser: gcfg.value(runAs.0, runAs.1) ?? product.defaultServiceUser, facts: facts)
        for problem in gcfg.problems.prefix(5) { r.add(.crit, "config", "\(product.gcfgFile ?? ""): \(problem)") }
        serviceUser(&r)
        let dataDir = gcfg.value("Server", "DataDir") ?? "/var/lib/" + product.defaultServiceUser
        var data: Placement
        if dataDirShared {
            data = r.require("Server.DataDir", dataDir, shared: true, "data-dir",
                             why: "every node must use the same shared DataDir", facts: facts)
        } else {
            data = ProductReadiness.place("Server.DataDir", dataDir, facts)
            r.placements.append(data)
        }
        gcfgDatabase(&r, gcfg, dataDir: dataDir, facts)
        return (r, dataDir, data)
    }

    static func gcfgDatabase(_ r: inout ProductReadiness, _ gcfg: Gcfg, dataDir: String, _ facts: NodeFacts) {
        let provider = (gcfg.value("Database", "Provider") ?? "sqlite").lowercased()
        guard provider != "postgres" && provider != "postgresql" else { return }
        r.add(.crit, "database", "Database.Provider is \(provider): HA nodes need PostgreSQL",
              fix: "[Database] Provider = postgres, and the same [Postgres] URL on every node")
        r.require("SQLite.Dir", gcfg.value("SQLite", "Dir") ?? dataDir, shared: false, "sqlite-on-nfs",
                  why: "SQLite on NFS corrupts its database", facts: facts)
    }
}
