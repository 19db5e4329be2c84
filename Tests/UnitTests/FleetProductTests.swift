import Foundation
import Testing
import PositConfig
@testable import Fleet
@testable import Readiness

/// Three simulated nodes, their product summaries as audits publish them, and the fleet's
/// cross-node requirements: each broken by one node at a time.
@Suite struct FleetProductTests {
    /// Fingerprints as the audit makes them, with a test key.
    static func key(_ text: String) -> String { "fp" + String(text.hashValue, radix: 16) }

    static func report(_ name: String, _ node: SimulatedNode) -> NodeReport {
        let facts = node.facts
        var r = NodeReport(node: name, version: "0.3.0", time: Date(), share: "/mnt/shared", mount: nil,
                           scratchDirectoryOK: true, clockOffsetSeconds: 0, negativeLookupP95Seconds: nil,
                           listingP95Seconds: nil,
                           configHashes: ["rserver.conf": key(facts.files["/etc/rstudio/rserver.conf"] ?? "")],
                           configKeyID: "k1", launcherAddress: nil,
                           launcherPort: nil, reachability: [], severity: .ok)
        let readiness = ReadinessCheck.run(facts, products: nil, node: name)
        r.products = ReadinessCheck.summaries(readiness, facts, fingerprint: key)
        r.accounts = ReadinessCheck.accountSummary(facts, fingerprint: key)
        return r
    }

    static func findings(third: [String: String], mounts: ((SimulatedNode) -> Void)? = nil) throws -> [String] {
        let nodes = [try SimulatedNode(), try SimulatedNode(), try SimulatedNode(third)]
        mounts?(nodes[2])
        let reports = nodes.enumerated().map { report("node\($0.offset + 1)", $0.element) }
        return FleetReport.build(share: "/mnt/shared", reports: reports, problems: []).findings
            .map { "\($0.rule) \($0.subject ?? "") \($0.severity)" }
    }

    @Test func threeIdenticalNodesMeetEveryCrossNodeRequirement() throws {
        #expect(try Self.findings(third: [:]).isEmpty)
    }

    /// Workbench guide, Load balancing › Configuration, requirement 2: `www-host-name` in load-balancer's
    /// `[config]`, `www-address` and `www-port` in rserver.conf may differ; nothing else.
    @Test func aNodeSpecificAddressMayDifferWhereTheGuidePutsIt() throws {
        let rserver = "server-shared-storage-path=/mnt/shared/rstudio\nwww-port=8788\nwww-address=10.0.0.3\n"
        let allowed = try Self.findings(third: ["/etc/rstudio/rserver.conf": rserver,
                                                "/etc/rstudio/load-balancer": "[config]\nbalancer=sessions\n"
                                                    + "www-host-name=node3\n"])
        #expect(allowed.isEmpty, "\(allowed)")
        let elsewhere = "server-shared-storage-path=/mnt/shared/rstudio\nwww-port=8787\nwww-host-name=node3\n"
        let flagged = try Self.findings(third: ["/etc/rstudio/rserver.conf": elsewhere])
        #expect(flagged == ["product-config node3 crit"], "\(flagged)")
    }

    /// Every file of the configuration directory counts, keys included, as fingerprints; editor leftovers
    /// do not. Connect's guide calls identical configuration "not strictly required": a warning.
    @Test(arguments: [
        (["/etc/rstudio/launcher.pem": "-----BEGIN PRIVATE KEY-----\nnode3's own\n"], "product-config node3 crit"),
        (["/etc/rstudio/profiles": "[*]\nmax-cpus=8\n"], "product-config node3 crit"),
        (["/etc/rstudio/r-versions": "/opt/R/4.4.1\n"], "product-config node3 crit"),
        (["/etc/rstudio-pm/rstudio-pm.gcfg": SimulatedNode.healthy["/etc/rstudio-pm/rstudio-pm.gcfg"]!
          + "\n[HTTP]\nListen = :4243\n"], "product-config node3 crit"),
        (["/etc/rstudio-connect/rstudio-connect.gcfg": SimulatedNode.healthy[
            "/etc/rstudio-connect/rstudio-connect.gcfg"]! + "\n[Python]\nEnabled = true\n"],
         "product-config node3 warn"),
    ])
    func everyConfigurationFileIsCompared(_ third: [String: String], _ expected: String) throws {
        #expect(try Self.findings(third: third) == [expected])
    }

    @Test func editorLeftoversAndDotfilesAreNotConfiguration() throws {
        #expect(try Self.findings(third: ["/etc/rstudio/rserver.conf~": "www-port=1\n",
                                          "/etc/rstudio/.rserver.conf.swp": "x", "/etc/rstudio-pm/a.dpkg-old": "y",
                                          "/etc/rstudio/launcher.local.conf.bak": "scratch-path=/tmp\n"]).isEmpty)
        let published = "\(Self.report("node1", try SimulatedNode(["/etc/rstudio/launcher.pem": "PRIVATE"])).products)"
        #expect(!published.contains("PRIVATE") && published.contains("launcher.pem"))
    }

    @Test(arguments: [
        (["/var/lib/dpkg/status": "Package: rstudio-workbench\nStatus: install ok installed\nVersion: 2023.12.1\n\n"
          + "Package: rstudio-pm\nStatus: install ok installed\nVersion: 2024.08.0-7\n\n"
          + "Package: rstudio-connect\nStatus: install ok installed\nVersion: 2024.09.0\n"],
         "product-version node3 crit"),
        (["/etc/passwd": "rstudio-server:x:990:990::/x:/bin/false\nrstudio-pm:x:997:997::/x:/bin/false\n"
          + "rstudio-connect:x:996:996::/x:/bin/false\nalice:x:1000:1000::/home/alice:/bin/bash\n"],
         "product-ids node3 crit"),
        (["/etc/rstudio/launcher.local.conf": "scratch-path=/mnt/shared/Local\nunprivileged=1\n"],
         "product-config node3 crit"),
        (["/etc/rstudio-pm/rstudio-pm.gcfg": "[Server]\nDataDir = /mnt/shared/rspm2\n[Database]\nProvider = postgres\n"
          + "[Postgres]\nURL = \"postgres://pm:pw@db.example:5432/rspm\"\n"], "product-location node3 crit"),
        (["/etc/rstudio/database.conf": "provider=postgresql\nhost=db2.example\ndatabase=rstudio\npassword=secret\n"],
         "product-location node3 crit"),
    ])
    func oneNodeBreakingOneRequirementIsNamed(_ third: [String: String], _ expected: String) throws {
        let found = try Self.findings(third: third)
        #expect(found.contains(expected), "\(found)")
        #expect(found.allSatisfy { $0.contains("node3") }, "\(found)")
    }

    @Test func packageManagerOnS3NeedsTheSameEncryptionKeyEverywhere() throws {
        let gcfg = "[Server]\nDataDir = /mnt/shared/rspm\nEncryptionKeyPath = /var/lib/rstudio-pm/key\n[Storage]\n"
            + "Default = s3\n[Database]\nProvider = postgres\n[Postgres]\n"
            + "URL = \"postgres://pm:pw@db.example:5432/rspm\"\n"
        let nodes = [try SimulatedNode(), try SimulatedNode(), try SimulatedNode()]
        for (i, node) in nodes.enumerated() {
            try node.write("/etc/rstudio-pm/rstudio-pm.gcfg", gcfg)
            try node.write("/var/lib/rstudio-pm/key", i == 2 ? "another key" : "the cluster's key")
        }
        let reports = nodes.enumerated().map { Self.report("node\($0.offset + 1)", $0.element) }
        let found = FleetReport.build(share: "/mnt/shared", reports: reports, problems: []).findings
        #expect(found.map { "\($0.rule) \($0.subject ?? "")" } == ["product-location node3"], "\(found)")
        // Binary keys that differ only where they are not UTF-8 are different keys.
        try Data([0xff, 0xfe, 0x01]).write(to: URL(fileURLWithPath: nodes[0].root + "/var/lib/rstudio-pm/key"))
        try Data([0xfe, 0xff, 0x01]).write(to: URL(fileURLWithPath: nodes[1].root + "/var/lib/rstudio-pm/key"))
        #expect(nodes[0].facts.secret("/var/lib/rstudio-pm/key") != nodes[1].facts.secret("/var/lib/rstudio-pm/key"))
        let published = "\(reports.map(\.products))"
        #expect(!published.contains("cluster's key") && !published.contains("another key"))
        try nodes[0].remove("/var/lib/rstudio-pm/key")
        #expect(nodes[0].rules(.packageManager)["pm-encryption-key"] == "crit")
    }

    @Test func connectMetricsOnTheShareAreFoundShared() throws {
        let gcfg = "[Server]\nDataDir = /mnt/shared/connect\n[Database]\nProvider = postgres\n"
            + "[Metrics]\nDataPath = %@\n"
        let nodes = [try SimulatedNode(), try SimulatedNode(), try SimulatedNode()]
        try nodes[0].write("/etc/rstudio-connect/rstudio-connect.gcfg", String(format: gcfg, "/mnt/shared/metrics"))
        try nodes[1].write("/etc/rstudio-connect/rstudio-connect.gcfg", String(format: gcfg, "/mnt/shared/metrics"))
        let reports = nodes.enumerated().map { Self.report("node\($0.offset + 1)", $0.element) }
        let found = FleetReport.build(share: "/mnt/shared", reports: reports, problems: []).findings
        #expect(found.contains { $0.rule == "connect-metrics-shared" && $0.subject == "node1, node2" }, "\(found)")
        // A directory of each node's own on the share is what the guide asks ("unique per server").
        try nodes[1].write("/etc/rstudio-connect/rstudio-connect.gcfg", String(format: gcfg, "/mnt/shared/metrics-2"))
        let apart = FleetReport.build(share: "/mnt/shared", reports: nodes.enumerated().map {
            Self.report("node\($0.offset + 1)", $0.element) }, problems: []).findings
        #expect(apart.allSatisfy { $0.rule != "connect-metrics-shared" }, "\(apart)")
        // The same local path on every node (the healthy default here) is three places, not one.
        #expect(try Self.findings(third: [:]).allSatisfy { !$0.hasPrefix("connect-metrics-shared") })
    }

    /// Workbench requirement 3 ("usernames and user IDs must be identical on all nodes", and the groups):
    /// another id is critical, an account only missing a warning, system accounts (below 1000) are not
    /// compared; names are published as keyed fingerprints of their ids, never the ids.
    @Test(arguments: [
        ("bob:x:1002:1001::/home/bob:/bin/bash", "", ["user-ids node3 crit"]),
        ("", "analysts:x:2001:alice,bob", ["user-ids node3 crit"]),
        ("", "bob:x:1001:\nanalysts:x:2000:alice", []),
        ("carol:x:1003:1003::/home/carol:/bin/bash", "carol:x:1003:", ["user-ids node3 warn"]),
        ("rstudio-server:x:998:998::/var/lib/rstudio-server:/usr/sbin/nologin\nsyslog:x:105:105::/:/bin/false",
         "syslog:x:110:", []),
    ])
    func usersAndGroupsHaveTheSameIdsOnEveryNode(_ user: String, _ group: String, _ expected: [String]) throws {
        func patched(_ file: String, _ line: String) -> String {
            let base = SimulatedNode.healthy[file]!.split(separator: "\n").map(String.init)
            let added = line.split(separator: "\n").map(String.init)
            let names = Set(added.map { $0.prefix { $0 != ":" } })
            return (base.filter { !names.contains($0.prefix { $0 != ":" }) } + added).joined(separator: "\n") + "\n"
        }
        let found = try Self.findings(third: ["/etc/passwd": patched("/etc/passwd", user),
                                              "/etc/group": patched("/etc/group", group)])
        #expect(found == expected)
        let published = try #require(Self.report("node3", try SimulatedNode()).accounts)
        #expect(published.users == ["alice": String(Self.key("user alice 1000").prefix(16)),
                                    "bob": String(Self.key("user bob 1001").prefix(16))])
        #expect(published.groups.keys.sorted() == ["alice", "analysts", "bob"] && !published.truncated)
    }

    /// This node's accounts are read through its name service, as `getent` lists them.
    @Test func theLiveNodeReadsItsAccountsAsGetentDoes() throws {
        func getent(_ database: String) throws -> [String] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/getent")
            p.arguments = [database]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return text.split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false)
                .prefix(4).enumerated().filter { $0.offset != 1 }.map { String($0.element) }.joined(separator: ":") }
        }
        let users = NameService.users().users.map { "\($0.name):\($0.uid):\($0.gid)" }
        let groups = NameService.groups().groups.map { "\($0.name):\($0.gid):\($0.members.joined(separator: ","))" }
        #expect(users == (try getent("passwd")) && users.contains("root:0:0"))
        #expect(groups == (try getent("group")) && groups.contains { $0.hasPrefix("root:0:") })
    }

    /// A large directory is published up to the limit, marked truncated, and the report stays readable.
    @Test func aLargeDirectoryIsTruncatedWithinTheReportLimit() throws {
        let count = AccountSummary.limit + 1
        let names = (0..<count).map { "a-directory-user-named-\(String(format: "%010d", $0))" }  // 32 characters
        let users = names.enumerated().map { "\($1):x:\(2000 + $0):\(2000 + $0)::/h:/x" }
        let groups = names.enumerated().map { "\($1):x:\(2000 + $0):" }
        let node = try SimulatedNode(["/etc/passwd": users.joined(separator: "\n"),
                                      "/etc/group": groups.joined(separator: "\n")])
        let report = Self.report("node1", node)
        let accounts = try #require(report.accounts)
        #expect(accounts.truncated && accounts.users.count == AccountSummary.limit)
        let encoded = try NodeDirectory.encoder.encode(report)
        #expect(encoded.count < NodeDirectory.reportLimit, "\(encoded.count) bytes")
        let decoded = NodeDirectory.decodeReport(Array(encoded), file: "node1.json")
        #expect((try? decoded.get())?.accounts?.truncated == true)
    }
}
