import Foundation
import Testing
@testable import Fleet
@testable import KernelView
import Reports

/// Three nodes simulated as separate processes, each with its own FUSE mount of one ganesha
/// export and its own /etc/rstudio; plus a stale node and a skewed clock, as their reports say.
@Suite(.serialized) struct FleetTests {
    @Test func threeNodesShowDriftStaleNodesSkewAndAnUnreachableLauncher() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: AgentProcess.binary), "build first: swift build")
        let export = try TestServer.backingDirectory("rw")
        let dir = TestServer.scratchName("fleet")
        try FileManager.default.createDirectory(
            atPath: export + dir, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        let etc = NSTemporaryDirectory() + "nfskeeper-fleet-" + UUID().uuidString
        var views: [FuseView] = []
        defer {
            views.forEach { $0.unmount() }
            try? FileManager.default.removeItem(atPath: export + dir)
            try? FileManager.default.removeItem(atPath: etc)
        }
        // node1 and node2 run a launcher (a listener); node3's port has none. node3's launcher.conf differs.
        let launchers = [try SilentServer(), try SilentServer()]
        defer { launchers.forEach { $0.stop() } }
        let ports = [launchers[0].port, launchers[1].port, try SilentServer.unusedPort()]
        for n in 1...3 {
            // No attribute cache: like NFS's close-to-open, an open sees the size of a report
            // another node has just replaced (bindfs would otherwise cut it at the old size).
            views.append(try FuseView(of: export, options: ["attr_timeout=0", "entry_timeout=0"]))
            let conf = "\(etc)/node\(n)/rstudio"
            try FileManager.default.createDirectory(atPath: conf, withIntermediateDirectories: true)
            let launcher =
                "[server]\naddress=127.0.0.1\nport=5559\n\n[cluster]\nname=Local\ntype=Local\n"
                + (n == 3 ? "# edited by hand\n" : "")
            try launcher.write(toFile: conf + "/launcher.conf", atomically: true, encoding: .utf8)
            try "provider=postgresql\npassword=secret\n".write(
                toFile: conf + "/database.conf", atomically: true, encoding: .utf8)
            if n == 2 {  // node2 locks the other way: its locks and the others' do not see each other
                try "lock-type=advisory\n".write(toFile: conf + "/file-locks", atomically: true, encoding: .utf8)
            }
            // The fingerprints' key: Workbench's secure-cookie-key, the same on every node, root-only.
            FileManager.default.createFile(
                atPath: conf + "/secure-cookie-key",
                contents: Data("0123456789abcdef-cluster-key".utf8),
                attributes: [.posixPermissions: 0o600])
        }
        let url = try TestServer.url("rw").description
        // Two rounds: in the second, each node finds the others' reports and tries their launchers.
        for _ in 1...2 {
            for n in 1...3 {
                let agent = try AgentProcess([
                    "audit", "--share", views[n - 1].mountPoint + dir, "--quick", "--allow-non-nfs",
                    "--server", url, "--node-name", "node\(n)", "--rstudio-config", "\(etc)/node\(n)/rstudio",
                    "--launcher-address", "127.0.0.1", "--launcher-port", String(ports[n - 1]),
                    "--www-port", String(ports[n % 3]), "--history", "none",
                ])
                let status = agent.wait()
                #expect(status == 0 || status == 1, "audit node\(n): \(status)\n\(agent.text.suffix(600))")
            }
        }
        // A node that stopped reporting two hours ago, and one whose clock is 42 s off the server's.
        let nodes = NodeDirectory(share: views[0].mountPoint + dir, kernel: KernelView(timeout: .seconds(5)))
        var old = NodeReport(
            node: "old", version: "0.1.0", time: Date().addingTimeInterval(-7200), share: dir, mount: nil,
            scratchDirectoryOK: nil, clockOffsetSeconds: 0, negativeLookupP95Seconds: nil, listingP95Seconds: nil,
            configHashes: [:], launcherAddress: nil, launcherPort: nil, reachability: [], severity: .ok)
        #expect(nodes.write(old).value != nil)
        old.node = "skewed"
        old.time = Date()
        old.clockOffsetSeconds = 42
        #expect(nodes.write(old).value != nil)

        let (reports, problems) = nodes.readAll()
        #expect(problems.isEmpty)
        #expect(reports.map(\.node).sorted() == ["node1", "node2", "node3", "old", "skewed"])
        let node1 = try #require(reports.first { $0.node == "node1" })
        #expect(node1.configHashes["database.conf"]?.count == 64)  // a keyed fingerprint, not the password
        #expect(node1.configKeyID != nil && Set(reports.compactMap(\.configKeyID)).count == 1)
        let fleet = FleetReport.build(share: dir, reports: reports, problems: problems)
        let rules = Set(fleet.findings.map { "\($0.rule) \($0.subject ?? "")" })
        #expect(rules.contains("config-drift node3"))
        #expect(rules.contains("stale old"))
        #expect(rules.contains("clock skewed"))
        #expect(rules.contains("launcher-unreachable node1") && rules.contains("launcher-unreachable node2"))
        #expect(node1.fileLocks?.kind == "linkbased")
        // Workbench ports (each node claims the next node's launcher port): node2's, claimed as the
        // unused port, is refused to node1 and node3, the others answer.
        let www = Set(fleet.findings.filter { $0.rule == "www-unreachable" }.map { $0.subject ?? "" })
        #expect(www == ["node1", "node3"] && node1.wwwPort == ports[1], "\(fleet.findings)")
        let mixed = fleet.findings.filter { $0.rule == "lock-type" }
        #expect(mixed.map(\.subject) == ["node2"] && mixed.first?.severity == .crit)
        // Nothing listens on node3's port: refused, so the launcher is down, not a firewall.
        let refused = try #require(fleet.findings.first { $0.rule == "launcher-unreachable" })
        #expect(refused.message.hasPrefix("nothing listens on 127.0.0.1:"))
        #expect(refused.fix?.contains("start the launcher") == true)
        #expect(fleet.reachability["node1"]?["node2"] == true && fleet.reachability["node2"]?["node1"] == true)
        #expect(fleet.reachability["node1"]?["node3"] == false)
        #expect(fleet.severity == .crit)
        // Every node saw every other node's marker, within the few seconds the audits took.
        for writer in ["node1", "node2", "node3"] {
            for reader in ["node1", "node2", "node3"] where reader != writer {
                let delay = try #require(fleet.visibility[writer]?[reader], "\(writer) → \(reader)")
                #expect(delay >= 0 && delay < 30)
            }
        }

        // The same through the CLI, as an admin would run it on any node.
        let cli = try AgentProcess(["fleet", views[1].mountPoint + dir])
        #expect(cli.wait() == 2)
        #expect(
            cli.text.contains("Launcher reachability") && cli.text.contains("STALE")
                && cli.text.contains("differs: launcher.conf"))
        #expect(cli.text.contains("Node-to-node visibility"))
    }
    /// Two watchers, each through its own FUSE view of one export: while they run, `fleet` shows the
    /// watch's matrix (seconds, both ways); a forged summary (another node's name in it) is not believed;
    /// the watchers remove their summaries when they stop.
    @Test func fleetShowsTheWatchsPairMatrix() throws {
        let export = try TestServer.backingDirectory("rw")
        let dir = TestServer.scratchName("fleet-watch")
        try FileManager.default.createDirectory(atPath: export + dir, withIntermediateDirectories: false)
        let views = [try FuseView(of: export, options: ["attr_timeout=0"]), try FuseView(of: export, options: [])]
        defer {
            views.forEach { $0.unmount() }
            try? FileManager.default.removeItem(atPath: export + dir)
        }
        let watchers = try zip(["node-a", "node-b"], views).map { name, view in
            try AgentProcess(["watch", view.mountPoint + dir, "--node-name", name, "--period", "1", "--duration", "6"])
        }
        let summaries = export + dir + "/.nfskeeper/watch-summaries"
        usleep(1_500_000)
        try FileManager.default.createDirectory(atPath: summaries, withIntermediateDirectories: true)
        let forged = #"{"reader":"node-a","time":\#(Int(Date().timeIntervalSince1970 * 1000)),"periodSeconds":1,"#
            + #""pairs":[{"writer":"node-b","lastSeconds":999,"seen":1,"neverSeen":0}]}"#
        try forged.write(toFile: summaries + "/zz-forged.json", atomically: true, encoding: .utf8)
        usleep(3_000_000)
        let doc = try JSONSchemaTests.run(["fleet", views[0].mountPoint + dir, "--json"], "fleet")
        let matrix = doc["watchVisibility"] as? [String: [String: Double]] ?? [:]
        for (writer, reader) in [("node-a", "node-b"), ("node-b", "node-a")] {
            let delay = matrix[writer]?[reader]
            #expect(delay.map { (0..<1).contains($0) } == true, "\(writer) → \(reader): \(matrix)")
        }
        let text = try AgentProcess(["fleet", views[0].mountPoint + dir], environment: ["COLUMNS": "80"])
        _ = text.wait()
        #expect(text.text.contains("Node-to-node visibility (nfskeeper watch"), "\(text.text)")
        #expect(watchers.map { $0.wait() } == [0, 0])
        try FileManager.default.removeItem(atPath: summaries + "/zz-forged.json")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: summaries)) == [])
    }
}
