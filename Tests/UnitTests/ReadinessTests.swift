import Foundation
import Testing
import PositConfig
@testable import Readiness

/// A simulated node: a directory standing for `/` (configuration files, dpkg's status, passwd) and
/// its mount table. `/` is local ext4; `/mnt/shared` and `/home` are NFS unless told otherwise.
final class SimulatedNode {
    let root = NSTemporaryDirectory() + "nfskeeper-node-" + UUID().uuidString
    var mounts: [String: (fsType: String, source: String, options: String)] = [
        "/": ("ext4", "/dev/vda1", "rw"),
        "/mnt/shared": ("nfs4", "nfs.example:/export",
                        "rw,vers=4.2,lookupcache=pos,acregmin=2,acregmax=2,acdirmin=2,acdirmax=2"),
        "/home": ("nfs4", "nfs.example:/home", "rw,vers=4.2,acregmin=2,acregmax=2,acdirmin=2,acdirmax=2"),
        // Not used by the healthy node: the kernel's default attribute caching (up to 60 s).
        "/mnt/projects": ("nfs", "nfs.example:/projects", "rw,vers=3"),
    ]

    init(_ files: [String: String] = [:]) throws {
        for (path, text) in Self.healthy.merging(files, uniquingKeysWith: { $1 }) { try write(path, text) }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func write(_ path: String, _ text: String) throws {
        let full = root + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    func remove(_ path: String) throws { try FileManager.default.removeItem(atPath: root + path) }

    var mountInfo: String {
        mounts.sorted { $0.key < $1.key }.enumerated().map { i, m in
            "\(20 + i) 1 0:\(40 + i) / \(m.key) rw,relatime - \(m.value.fsType) \(m.value.source) \(m.value.options)"
        }.joined(separator: "\n") + "\n"
    }

    var facts: NodeFacts { NodeFacts.load(root: root, mountInfo: mountInfo) }

    func rules(_ product: PositProduct? = nil) -> [String: String] {
        let report = ReadinessCheck.run(facts, products: product.map { [$0] }, node: "n1")
        return Dictionary(report.findings.map { ($0.rule.rawValue, "\($0.severity)") }, uniquingKeysWith: { a, _ in a })
    }

    /// A node that meets every requirement of all three products.
    static let healthy: [String: String] = [
        "/var/lib/dpkg/status": """
            Package: rstudio-workbench
            Status: install ok installed
            Version: 2024.04.2+764.pro1

            Package: rstudio-pm
            Status: install ok installed
            Version: 2024.08.0-7

            Package: rstudio-connect
            Status: install ok installed
            Version: 2024.09.0
            """,
        "/etc/passwd": """
            root:x:0:0:root:/root:/bin/bash
            rstudio-server:x:998:998::/var/lib/rstudio-server:/usr/sbin/nologin
            rstudio-pm:x:997:997::/var/lib/rstudio-pm:/usr/sbin/nologin
            rstudio-connect:x:996:996::/var/lib/rstudio-connect:/usr/sbin/nologin
            alice:x:1000:1000::/home/alice:/bin/bash
            bob:x:1001:1001::/home/bob:/bin/bash
            """,
        "/etc/group": """
            root:x:0:
            rstudio-server:x:998:
            alice:x:1000:
            bob:x:1001:
            analysts:x:2000:alice,bob
            """,
        "/etc/rstudio/rserver.conf": "server-shared-storage-path=/mnt/shared/rstudio\nwww-port=8787\n",
        "/etc/rstudio/database.conf": "provider=postgresql\nhost=db.example\ndatabase=rstudio\npassword=secret\n",
        "/etc/rstudio/launcher.local.conf": "scratch-path=/mnt/shared/Local\n",
        "/etc/rstudio/load-balancer": "[config]\nbalancer=sessions\n",
        "/etc/rstudio-pm/rstudio-pm.gcfg": """
            [Server]
            DataDir = /mnt/shared/rspm
            [Database]
            Provider = postgres
            [Postgres]
            URL = "postgres://pm:pw@db.example:5432/rspm"
            """,
        "/etc/rstudio-connect/rstudio-connect.gcfg": """
            [Server]
            DataDir = /mnt/shared/connect
            [Database]
            Provider = postgres
            [Metrics]
            DataPath = /var/lib/rstudio-connect-metrics
            """,
    ]
}

@Suite struct ReadinessTests {
    @Test func aHealthyNodeMeetsEveryRequirement() throws {
        let node = try SimulatedNode()
        let report = ReadinessCheck.run(node.facts, products: nil, node: "n1")
        #expect(report.products.map(\.product) == [.workbench, .packageManager, .connect])
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.products[0].version == "2024.04.2+764.pro1" && report.products[0].serviceUID == 998)
        let dataDir = try #require(report.products[1].placements.first { $0.setting == "Server.DataDir" })
        #expect(dataDir.shared && dataDir.location == "nfs nfs.example:/export/rspm")
    }

    /// Each requirement broken alone: (files changed, product, rule, severity).
    static let broken: [([String: String], PositProduct, String, String)] = [
        (["/etc/rstudio/database.conf": "provider=sqlite\n"], .workbench, "wb-database", "crit"),
        (["/etc/rstudio/database.conf": "provider=sqlite\ndirectory=/mnt/shared/db\n"], .workbench, "wb-sqlite-on-nfs",
         "crit"),
        (["/etc/rstudio/rserver.conf": "www-port=8787\n"], .workbench, "wb-shared-storage", "crit"),
        (["/etc/rstudio/rserver.conf": "server-shared-storage-path=/var/lib/shared\n"], .workbench,
         "wb-shared-storage", "crit"),
        (["/etc/rstudio/launcher.local.conf": "scratch-path=/var/lib/rstudio-launcher\n"], .workbench, "wb-scratch",
         "crit"),
        (["/etc/passwd": "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n"], .workbench,
         "wb-server-user", "crit"),
        (["/etc/passwd": "rstudio-server:x:998:998::/x:/bin/false\nbob:x:1001:1001::/srv/bob:/bin/bash\n"],
         .workbench, "wb-home", "warn"),
        // Project Sharing judges the volume holding the projects: the homes, or the projects root.
        (["/etc/rstudio/rserver.conf": "server-shared-storage-path=/mnt/shared/rstudio\n"
          + "server-project-sharing-root-dir=/mnt/projects/shared\n"], .workbench, "wb-project-sharing", "warn"),
        (["/etc/passwd": "rstudio-server:x:998:998::/x:/bin/false\nbob:x:1001:1001::/mnt/projects/bob:/bin/bash\n"],
         .workbench, "wb-project-sharing", "warn"),
        (["/etc/rstudio-pm/rstudio-pm.gcfg": "[Server]\nDataDir = /var/lib/rstudio-pm\n"
          + "[Database]\nProvider = postgres\n"],
         .packageManager, "pm-data-dir", "crit"),
        (["/etc/rstudio-pm/rstudio-pm.gcfg": "[Server]\nDataDir = /mnt/shared/rspm\n"], .packageManager, "pm-database",
         "crit"),
        (["/etc/rstudio-pm/rstudio-pm.gcfg": "[Server]\nDataDir = /mnt/shared/rspm\n"], .packageManager,
         "pm-sqlite-on-nfs", "crit"),
        (["/etc/rstudio-pm/rstudio-pm.gcfg": "[Server]\nDataDir = /mnt/projects/rspm\n"
          + "[Database]\nProvider = postgres\n"],
         .packageManager, "pm-lookupcache", "warn"),
        (["/etc/rstudio-pm/rstudio-pm.gcfg": "[Server\nDataDir = /mnt/shared/rspm\n"], .packageManager, "pm-config",
         "crit"),
        (["/etc/rstudio-connect/rstudio-connect.gcfg": "[Server]\nDataDir = /srv/connect\n"
          + "[Database]\nProvider = postgres\n"
          + "[Metrics]\nDataPath = /var/lib/m\n"], .connect, "connect-data-dir", "crit"),
        (["/etc/rstudio-connect/rstudio-connect.gcfg": "[Server]\nDataDir = /mnt/shared/connect\n[Metrics]\n"
          + "DataPath = /var/lib/m\n"], .connect, "connect-database", "crit"),
        (["/etc/rstudio-connect/rstudio-connect.gcfg": "[Server]\nDataDir = /mnt/shared/connect\n[Database]\n"
          + "Provider = postgres\n"], .connect, "connect-metrics-path", "crit"),
        // S3 holds every package: DataDir may be each node's own (Package Manager HA checklist, step 5).
        (["/etc/rstudio-pm/rstudio-pm.gcfg": "[Server]\nDataDir = /var/lib/rstudio-pm\n[Storage]\nDefault = s3\n"
          + "[Database]\nProvider = postgres\n"], .packageManager, "pm-data-dir", "info"),
        (["/etc/rstudio-pm/rstudio-pm.gcfg": "[Server]\nDataDir = /var/lib/rstudio-pm\n[Storage]\nDefault = s3\n"
          + "Packages = file\n[Database]\nProvider = postgres\n"], .packageManager, "pm-data-dir", "crit"),
        (["/etc/rstudio-connect/rstudio-connect.gcfg": "[Server]\nDataDir = /mnt/shared/connect\n[Database]\n"
          + "Provider = postgres\nDir = /var/lib/connect-db\n[Metrics]\nDataPath = /var/lib/m\n"], .connect,
         "connect-database-dir", "crit"),
        (["/etc/rstudio-connect/rstudio-connect.gcfg": "[Server]\nDataDir = /mnt/shared/connect\n"
          + "LandingDir = /srv/landing\n[Database]\nProvider = postgres\n[Metrics]\nDataPath = /var/lib/m\n"],
         .connect, "connect-landing-dir", "crit"),
        // A per-node directory on the share is "unique per server" when no other node uses it: the fleet's.
        (["/etc/rstudio-connect/rstudio-connect.gcfg": "[Server]\nDataDir = /mnt/shared/connect\n[Database]\n"
          + "Provider = postgres\n[Metrics]\nDataPath = /mnt/shared/metrics/n1\n"], .connect,
         "connect-metrics-path", "info"),
    ]

    @Test(arguments: broken)
    func eachRequirementBrokenAloneIsFound(_ files: [String: String], _ product: PositProduct, _ rule: String,
                                           _ severity: String) throws {
        let node = try SimulatedNode(files)
        #expect(node.rules(product)[rule] == severity, "\(node.rules(product))")
    }

    /// Session Storage: session metadata (unless in the database) and suspended sessions live in the homes,
    /// whose mount is judged as check judges the share's: by each rule, at the rule's own severity.
    @Test(arguments: [
        ("rw,vers=4.2", "", "warn", "session metadata and suspended sessions"),
        ("rw,vers=4.2", "session-use-file-storage=0\n", "warn", "holds the users' suspended sessions"),
        ("rw,vers=4.2,soft,actimeo=2", "", "warn", "soft"),
        ("rw,vers=4.2,actimeo=2", "", nil, ""),
    ] as [(String, String, String?, String)])
    func theHomeMountIsJudgedLikeTheShare(_ options: String, _ rserver: String, _ severity: String?,
                                          _ words: String) throws {
        let node = try SimulatedNode(["/etc/rstudio/rserver.conf": "server-shared-storage-path=/mnt/shared/rstudio\n"
                                      + rserver])
        node.mounts["/home"] = ("nfs4", "nfs.example:/home", options)
        let found = ReadinessCheck.run(node.facts, products: [.workbench], node: "n1").findings
            .filter { $0.rule.rawValue == "wb-home-mount" }
        #expect(found.map(\.severity).max().map { "\($0)" } == severity, "\(found)")
        #expect(severity == nil
                || found.allSatisfy { $0.message.hasPrefix("/home holds") }
                && found.contains { $0.message.contains(words) })
        node.mounts["/home"] = ("ext4", "/dev/vdb", "rw")
        #expect(node.rules(.workbench)["wb-home-mount"] == nil)
    }

    /// Workbench balances when rserver.conf says `load-balancing-enabled=1`, or, without that key, when
    /// /etc/rstudio/load-balancer exists; the Local plugin then needs a shared scratch path unless it
    /// balances externally (launcher.local.conf, Workbench 2023.03 and later): (rserver.conf, load-balancer
    /// file present, launcher.local.conf extra, version, wb-scratch, wb-load-balancer).
    static let balancing: [(String, Bool, String, String, String?, String?)] = [
        ("", true, "", "2024.04.2", "crit", nil),
        ("load-balancing-enabled=1\n", false, "", "2024.04.2", "crit", nil),
        ("load-balancing-enabled=0\n", true, "", "2024.04.2", "info", "warn"),
        ("", false, "", "2024.04.2", "info", "warn"),
        ("", true, "load-balancing-type=External\n", "2024.04.2", "info", nil),
        ("", true, "load-balancing-type=external\n", "2023.03.0", "info", nil),
        ("", true, "load-balancing-type=External\n", "2022.12.0", "crit", nil),
    ]

    @Test(arguments: balancing)
    func howWorkbenchBalancesDecidesWhetherTheScratchPathMustBeShared(
        _ rserver: String, _ file: Bool, _ local: String, _ version: String, _ scratch: String?, _ lb: String?
    ) throws {
        let node = try SimulatedNode([
            "/etc/rstudio/rserver.conf": "server-shared-storage-path=/mnt/shared/rstudio\n" + rserver,
            "/etc/rstudio/launcher.local.conf": "scratch-path=/var/lib/rstudio-launcher\n" + local,
            "/var/lib/dpkg/status": "Package: rstudio-workbench\nStatus: install ok installed\nVersion: \(version)\n",
        ])
        if !file { try node.remove("/etc/rstudio/load-balancer") }
        let rules = node.rules(.workbench)
        #expect(rules["wb-scratch"] == scratch && rules["wb-load-balancer"] == lb, "\(rules)")
    }

    @Test func aProductNotInstalledIsUnknownAndNoProductAtAllToo() throws {
        let node = try SimulatedNode()
        try node.remove("/etc/rstudio-connect")
        try node.write("/var/lib/dpkg/status", "")
        #expect(node.rules(.connect)["connect-installed"] == "unknown")
        let bare = try SimulatedNode()
        for dir in ["/etc/rstudio", "/etc/rstudio-pm", "/etc/rstudio-connect"] { try bare.remove(dir) }
        try bare.write("/var/lib/dpkg/status", "")
        #expect(bare.rules()["no-product"] == "unknown")
    }

    @Test func summariesPublishFingerprintsNeverValues() throws {
        let node = try SimulatedNode()
        let facts = node.facts
        let report = ReadinessCheck.run(facts, products: nil, node: "n1")
        let summaries = ReadinessCheck.summaries(report, facts) { "fp(\($0.count))" }
        let wb = try #require(summaries.first { $0.product == .workbench })
        #expect(wb.settings["database.conf:password"] == "fp(6)")
        #expect(!"\(summaries)".contains("secret") && !"\(summaries)".contains("db.example"))
        #expect(wb.targets["database"] != nil && wb.targets["server-shared-storage-path"] != nil)
        #expect(wb.serviceUID == 998 && wb.version == "2024.04.2+764.pro1")
    }
}
