/// One rule id of a finding: the stable name alerting, `--json` users and the README share.
public struct RuleInfo: Sendable, Hashable {
    public let id: String
    /// The commands that report it.
    public let commands: String
    /// The severities it takes, and when.
    public let severities: String
    /// What it means, in one line.
    public let meaning: String
    /// Where Posit's guides state the requirement it checks (none: nfskeeper's own judgement).
    public let cites: [Citation]
}

/// Every rule id any command reports: one vocabulary. docs/reference.md's rule table is generated from it
/// (`markdownTable`; a test compares), and a test checks that every id the sources emit is here and
/// every id here is emitted.
public enum RuleCatalog {
    public static let all: [RuleInfo] = mounts + server + provisioning + probe + locks + watch + fleet + readiness
        + audit

    public static func info(_ id: String) -> RuleInfo? { byID[id] }

    static let byID = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })

    static func r(_ id: String, _ commands: String, _ severities: String, _ meaning: String,
                  cites: [Citation] = []) -> RuleInfo {
        RuleInfo(id: id, commands: commands, severities: severities, meaning: meaning, cites: cites)
    }

    static func wb(_ section: String) -> Citation { Citation(.workbenchLoadBalancing, section) }
    static func pm(_ section: String) -> Citation { Citation(.packageManagerHA, section) }
    static func connect(_ section: String) -> Citation { Citation(.connectHA, section) }

    static let mounts = [
        r("input", "check", "unknown", "the mount table is empty or unreadable"),
        r("no-nfs", "check", "unknown", "no NFS mount to judge (name a directory)"),
        r("not-mounted", "check, audit", "crit", "no mount holds the path"),
        r("not-nfs", "check, provision, audit", "crit; info when allowed", "the path's mount is not NFS"),
        r("hung", "check, probe, provision, locks, watch, audit", "crit",
          "a call on the mount did not return in --timeout"),
        r("nfs-version", "check", "ok/info/warn", "the NFS version and what it implies (NLM, change attributes)"),
        r("negative-lookup", "check", "ok/warn/crit", "how long another node's new file can stay hidden here"),
        r("attribute-cache", "check", "warn", "an attribute cache time (acregmax, acdirmax) longer than the target"),
        r("noac", "check", "warn", "noac: no attribute cache, every access a GETATTR"),
        r("cto", "check", "warn", "nocto: another node's closed file may be read stale"),
        r("locking", "check", "ok/warn", "the options keep locks on this node (nolock, local_lock)"),
        r("recovery", "check", "warn", "soft/softerr mounts turn a slow server into I/O errors"),
        r("sync", "check", "info", "sync: every write waits for the server"),
        r("transport", "check", "warn", "UDP transport"),
        r("transfer-size", "check", "warn", "rsize/wsize below 64 KiB"),
        r("mountstats", "check", "warn", "retransmissions or timeouts counted in mountstats"),
        r("declared", "check", "info/warn", "not declared (fstab, unit, autofs), or declared more than once"),
        r("drift", "check", "warn", "a live option differs from its declaration (applies at the next mount)"),
    ]

    static let server = [
        r("unreachable", "server", "crit", "the server or its NFS version does not answer"),
        r("export", "server", "crit", "the server answers but refuses the export"),
        r("exports", "server", "info", "the export list is unavailable"),
        r("version", "server", "warn", "the asked NFS version does not answer; another one did"),
        r("latency", "server", "warn", "a slow GETATTR round trip: every revalidation costs it"),
        r("root-squash", "server", "info", "root is squashed on the export"),
        r("read-only", "server, provision", "warn/crit", "the export is read-only"),
        r("write", "server", "warn", "a test file could not be created, stamped and removed"),
        r("privileges", "server, provision", "info/crit", "not run as root: some checks are impossible"),
        r("clock", "server, fleet", "warn", "a clock differs from the server's",
          cites: [wb("requirement 4"), pm("HA Checklist, step 1"), connect("Clock Synchronization")]),
        r("cleanup", "server, probe, locks", "warn",
          "something made by this run could not be removed (the next run removes it)"),
    ]

    static let provisioning = [
        r("share", "provision, probe, locks, watch", "crit",
          "the share path is unusable (missing, a symlink on the way)"),
        r("server", "provision, probe, locks", "crit", "the server view could not connect"),
        r("symlink", "provision", "crit", "the share is or passes through a symlink: refused"),
        r("swapped", "provision", "crit", "the share was replaced on the server during the run"),
        r("owner", "provision", "crit", "the scratch directory's owner does not exist here"),
        r("group", "provision", "crit", "the scratch directory's group does not exist here"),
        r("cluster", "provision", "crit", "the cluster name is not one path component"),
        r("mkdir", "provision", "crit", "the scratch directory could not be created"),
        r("mode", "provision", "crit", "the scratch directory's mode could not be set"),
        r("permission", "provision", "crit", "root is squashed and the owner may not create the directory"),
        r("verify", "provision", "crit", "after provisioning the server does not show the directory"),
        r("kernel-view", "provision", "warn", "this node's mount does not show what the server has yet"),
        r("mode-mismatch", "provision", "warn", "this node and the server disagree on the mode"),
        r("id-mismatch", "check, probe, provision, ready, audit", "warn",
          "this node and the server disagree on an owner's id"),
        r("idmap", "check, probe, provision, ready, audit", "info/warn", "NFSv4 id mapping shows an owner as nobody"),
        r("scratch", "provision", "crit", "the scratch directory is wrong and could not be fixed"),
        r("scratch-path", "provision", "warn", "launcher.local.conf's scratch-path is not the provisioned directory"),
        r("write-config", "provision", "crit", "launcher.local.conf could not be written"),
        r("launcher-cluster", "provision", "warn", "launcher.conf has no [cluster] of type Local"),
        r("server-user", "provision", "warn", "Workbench's server-user is not the directory's owner"),
    ]

    static let probe = [
        r("probe-directory", "probe", "crit", "the probe's working directory could not be made"),
        r("trial", "probe", "warn/crit", "trials that could not run"),
        r("visibility", "probe", "ok/warn/crit", "a scenario's measured delay against the target"),
        r("first-verdict", "probe", "ok/warn", "a name looked up here stayed hidden after another node made it"),
    ]

    static let watch = [
        r("watch-writer-gone", "watch", "info", "another watcher's canaries went unseen for --stale-age: removed"),
        r("watch-name-taken", "watch", "crit", "another watch of the share runs under this node's name: stopped"),
    ]

    static let locks = [
        r("lock-directory", "locks", "crit", "<share>/.nfskeeper/locks is unusable (a symlink, not a directory)"),
        r("locks-local", "locks, audit", "crit; info when allowed", "an fcntl lock both this node and another got"),
        r("locks-unavailable", "locks, audit", "crit", "this node cannot take an fcntl lock (ENOLCK, or it hangs)"),
        r("locks-not-measured", "locks, audit", "info", "the other node's side could not be played"),
        r("hardlinks", "locks, audit", "warn/crit", "the share refuses hard links: link-based locks fail"),
        r("link-not-seen", "locks, audit", "crit", "a link-based lock is not seen as such by another node"),
        r("lock-staleness", "locks, audit", "info/warn", "a held link-based lock can look stale to another node"),
        r("file-locks", "locks", "warn", "a line of /etc/rstudio/file-locks Workbench would ignore"),
    ]

    static let fleet = [
        r("node-report", "fleet, audit", "warn/info", "a node report unreadable, misplaced or not written"),
        r("no-nodes", "fleet", "unknown", "no node has reported into the share"),
        r("stale", "fleet", "warn", "a node's report is older than --stale-after"),
        r("future-report", "fleet", "warn", "a report dated ahead of this node's clock"),
        r("option-drift", "fleet", "warn", "a node mounts with cache options unlike most nodes"),
        r("config-drift", "fleet", "warn",
          "a configuration file differs from most nodes' (whole file; only where no product-config compares)"),
        r("config-key", "fleet, audit", "info/warn", "no fingerprint key, or another key than most nodes"),
        r("scratch-directory", "fleet, audit", "warn/crit", "the scratch directory is wrong (or needs work)"),
        r("launcher-unreachable", "fleet", "crit", "a node cannot reach another node's launcher port",
          cites: [wb("requirement 9")]),
        r("www-unreachable", "fleet", "crit", "a node cannot reach another node's Workbench port",
          cites: [wb("requirement 9")]),
        r("lock-type", "fleet", "crit", "a node's Workbench lock kind differs from most nodes'"),
        r("product-version", "fleet", "crit", "a node runs another version of a Posit product",
          cites: [wb("requirement 1"), pm("HA Checklist, step 3"), connect("HA Checklist, step 1")]),
        r("user-ids", "fleet", "crit; warn if only missing",
          "a user or group has another id on a node than on most (ids from 1000), or is missing there",
          cites: [wb("requirement 3"), connect("Consistent Users and Groups")]),
        r("product-ids", "fleet", "crit", "a product's service account has other ids on a node",
          cites: [wb("requirement 3"), connect("Consistent Users and Groups")]),
        r("product-config", "fleet", "crit; warn for Connect",
          "a file or setting of a node's configuration directory differs (names listed, never values)",
          cites: [wb("requirement 2"), pm("HA Checklist, step 2"), connect("HA Checklist, note")]),
        r("product-location", "fleet", "crit", "a node keeps shared state (DataDir, database, key) elsewhere",
          cites: [wb("requirements 6 and 7"), pm("HA Checklist, steps 4 to 6"), connect("HA Checklist, steps 2 to 5")]),
        r("connect-metrics-shared", "fleet", "crit", "nodes share one Metrics.DataPath (it must be unique per server)",
          cites: [connect("HA Checklist, step 6")]),
    ]

    static let readiness = [
        r("no-product", "ready", "unknown", "no Posit product is installed"),
        r("wb-installed", "ready", "unknown", "Workbench was asked for and is not installed"),
        r("pm-installed", "ready", "unknown", "Package Manager was asked for and is not installed"),
        r("connect-installed", "ready", "unknown", "Connect was asked for and is not installed"),
        r("wb-load-balancer", "ready", "warn",
          "Workbench does not balance sessions (no load-balancing-enabled=1, no /etc/rstudio/load-balancer)",
          cites: [wb("load-balancing-enabled")]),
        r("wb-database", "ready", "crit", "Workbench's database is not PostgreSQL", cites: [wb("requirement 7")]),
        r("wb-sqlite-on-nfs", "ready", "crit", "Workbench's SQLite directory is on NFS", cites: [wb("requirement 7")]),
        r("wb-shared-storage", "ready", "crit", "server-shared-storage-path unset or not on NFS",
          cites: [wb("requirement 6")]),
        r("wb-scratch", "ready", "info/crit",
          "scratch-path is not shared where the Local plugin finds its peers in it (balanced, not External)",
          cites: [wb("requirement 8"), Citation(.workbenchScratchPath, "External load balancing, 2023.03")]),
        r("wb-home", "ready", "warn", "home directories not on NFS", cites: [wb("requirement 5")]),
        r("wb-home-mount", "ready", "as check rates it",
          "the mount of the home directories, which hold session metadata and suspended sessions, "
          + "fails a check rule (another node sees them late, soft, nolock…)",
          cites: [Citation(.workbenchSessionStorage, "session metadata in the user's home directory")]),
        r("wb-project-sharing", "ready", "warn",
          "the volume holding shared projects caches attributes over 2 s (or noac)",
          cites: [Citation(.workbenchProjectSharing, "Project Sharing and NFS")]),
        r("wb-project-sharing-acl", "ready", "warn", "the volume holding shared projects keeps no ACLs",
          cites: [Citation(.workbenchProjectSharing, "Access Control Lists")]),
        r("wb-server-user", "ready", "crit", "Workbench's service account is missing", cites: [wb("requirement 3")]),
        r("pm-config", "ready", "crit", "rstudio-pm.gcfg has lines Package Manager cannot read"),
        r("pm-server-user", "ready", "crit", "Package Manager's service account is missing"),
        r("pm-data-dir", "ready", "crit; info on S3",
          "Package Manager's Server.DataDir is not on NFS though file storage lives in it",
          cites: [pm("HA Checklist, step 5")]),
        r("pm-data-dir-write", "ready", "crit",
          "Package Manager's service account cannot create, write or remove in DataDir through this node's mount",
          cites: [Citation(.packageManagerNFS, "Configuration: the service user must read, write and create")]),
        r("pm-database", "ready", "crit", "Package Manager's database is not PostgreSQL",
          cites: [pm("HA Checklist, step 4")]),
        r("pm-sqlite-on-nfs", "ready", "crit", "Package Manager's SQLite directory is on NFS",
          cites: [Citation(.packageManagerNFS, "Configuration")]),
        r("pm-lookupcache", "ready", "warn", "the DataDir mount hides other nodes' new files over 5 s",
          cites: [Citation(.packageManagerNFS, "Amazon EFS: lookupcache=pos"), pm("HA Shared Directory")]),
        r("pm-encryption-key", "ready", "crit", "S3 storage without the encryption key here",
          cites: [pm("HA Checklist, step 6")]),
        r("connect-config", "ready", "crit", "rstudio-connect.gcfg has lines Connect cannot read"),
        r("connect-server-user", "ready", "crit", "Connect's RunAs account is missing",
          cites: [connect("Consistent Users and Groups")]),
        r("connect-data-dir", "ready", "crit", "Connect's Server.DataDir is not on NFS",
          cites: [connect("HA Checklist, step 3")]),
        r("connect-database-dir", "ready", "crit", "Connect's customised Database.Dir is not on NFS",
          cites: [connect("HA Checklist, step 4")]),
        r("connect-landing-dir", "ready", "crit", "Connect's Server.LandingDir (custom landing page) is not on NFS",
          cites: [connect("HA Checklist, step 5")]),
        r("connect-database", "ready", "crit", "Connect's database is not PostgreSQL",
          cites: [connect("HA Checklist, step 2")]),
        r("connect-sqlite-on-nfs", "ready", "crit", "Connect's SQLite directory is on NFS",
          cites: [Citation(.connectSQLite, "SQLite")]),
        r("connect-metrics-path", "ready", "crit; info when set on NFS",
          "Metrics.DataPath unset, so in the shared DataDir (set on NFS: the fleet checks it is per node)",
          cites: [connect("HA Checklist, step 6")]),
        r("connect-root-squash", "audit", "crit", "Connect's DataDir is on a share whose export squashes root"),
    ]

    static let audit = [
        r("config", "audit", "unknown", "no share to audit, or the configuration is unusable"),
        r("history", "history", "warn", "lines of the history file that are not entries (skipped)"),
    ]

    /// docs/reference.md's rule table.
    public static var markdownTable: String {
        (["| rule | reported by | severity | meaning |", "|---|---|---|---|"]
            + all.map { "| `\($0.id)` | \($0.commands) | \($0.severities) | \($0.meaning) |" })
            .joined(separator: "\n")
    }

    /// docs/posit-readiness.md's Posit requirement table: every rule a guide states, with the guide's section.
    public static var requirementTable: String {
        (["| rule | reported by | severity | finding | where the guide says so |", "|---|---|---|---|---|"]
            + all.filter { !$0.cites.isEmpty }.map {
                "| `\($0.id)` | \($0.commands) | \($0.severities) | \($0.meaning) | "
                    + $0.cites.map(\.markdown).joined(separator: "; ") + " |"
            }).joined(separator: "\n")
    }
}
