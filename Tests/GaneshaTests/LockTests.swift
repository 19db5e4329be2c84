import Foundation
import Glibc
import SystemPackage
import Testing
@testable import ServerView

/// `nfskeeper locks` against the real ganesha through a FUSE view (bindfs: a node whose locks are
/// node-local, the failing case; the coherent case needs the kernel client: scripts/kernel-tests).
@Suite(.serialized) struct LockTests {
    /// A bindfs view of /rw (no attribute cache, so link counts are fresh) and a share directory in it.
    final class Share {
        let view: FuseView
        let name = TestServer.scratchName("locks")
        var path: String { view.mountPoint + name }
        var locksDirectory: String {
            (try? TestServer.backingDirectory("rw")).map { $0 + name + "/.nfskeeper/locks" } ?? ""
        }

        init() throws {
            view = try FuseView(of: try TestServer.backingDirectory("rw"), options: ["attr_timeout=0"])
            try FileManager.default.createDirectory(atPath: view.mountPoint + name, withIntermediateDirectories: false)
        }

        /// Files of this node's runs still in the locks directory (none after any run).
        var leftovers: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: locksDirectory)) ?? [])
                .filter { $0.hasPrefix(".nfskeeper-locks-") }
        }

        func run(_ extra: [String] = [], server: String? = nil) throws -> (Int32, [String: Any]) {
            let url = try server ?? TestServer.value("NFSKEEPER_TEST_URL_RW_V3")
            let agent = try AgentProcess(["locks", path, "--server", url, "--allow-non-nfs", "--json",
                                          "--node-name", "locktest"] + extra)
            let status = agent.wait()
            let json = try JSONSerialization.jsonObject(with: Data(agent.text.utf8)) as? [String: Any] ?? [:]
            return (status, json)
        }

        deinit {
            try? FileManager.default.removeItem(atPath: view.mountPoint + name)
            view.unmount()
        }
    }

    @Test func aFuseViewsLocksAreFoundLocalAndNothingIsLeft() throws {
        let share = try Share()
        let (status, json) = try share.run()
        #expect(status == 2)
        let advisory = try #require(json["advisory"] as? [String: Any])
        #expect(advisory["verdict"] as? String == "local")
        #expect(advisory["serverSawNodeLock"] as? Bool == false)
        #expect(advisory["nodeSawServerLock"] as? Bool == false)
        let link = try #require(json["linkBased"] as? [String: Any])
        #expect(link["verdict"] as? String == "works")
        #expect(link["linksOnNode"] as? Int == 2 && link["linksOnServer"] as? Int == 2)
        let rules = (json["findings"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
        #expect(rules == ["locks-local"])
        #expect(share.leftovers.isEmpty)
    }

    @Test(arguments: [(25.0, 6.0, true), (25.0, 4.0, false)])
    func theStalenessArithmeticWarnsWhenAHeldLockCanLookStale(timeout: Double, delay: Double, hazard: Bool) throws {
        let share = try Share()
        let config = NSTemporaryDirectory() + "nfskeeper-rstudio-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: config) }
        try "# test\nlock-type=linkbased\ntimeout-interval=\(timeout)\nrefresh-rate=20\n"
            .write(toFile: config + "/file-locks", atomically: true, encoding: .utf8)
        let (_, json) = try share.run(["--rstudio-config", config, "--attribute-delay", String(delay)])
        let staleness = try #require(json["staleness"] as? [String: Any])
        #expect(staleness["timeoutInterval"] as? Double == timeout)
        #expect(staleness["attributeStalenessSeconds"] as? Double == delay)
        #expect(staleness["stalenessSource"] as? String == "measured")
        let finding = (json["findings"] as? [[String: Any]] ?? []).first { $0["rule"] as? String == "lock-staleness" }
        #expect((finding != nil) == hazard)
        if let finding {
            #expect(finding["severity"] as? String == "warn")
            #expect((finding["fix"] as? String ?? "").contains("timeout-interval=37"))  // 20 + 6 + ~0 + 10, up
        }
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func aSignalMidRunRemovesEverythingWithinTheTimeout(_ signal: Int32) throws {
        let share = try Share()
        // The first server-view session (a TCP probe and libnfs: 2 connections) works; the other
        // node's lock session then waits on a server that accepts and never answers.
        let relay = try TCPRelay(to: Int(try TestServer.value("NFSKEEPER_TEST_NFS_PORT"))!, forwardFirst: 2)
        defer { relay.cut() }
        let mnt = try TestServer.value("NFSKEEPER_TEST_MNT_PORT")
        let url = "nfs://127.0.0.1/rw?version=3&nfsport=\(relay.port)&mountport=\(mnt)"
        let agent = try AgentProcess(["locks", share.path, "--server", url, "--allow-non-nfs", "--timeout", "3",
                                      "--node-name", "locktest"], errorsToo: true)
        let deadline = Date().addingTimeInterval(10)
        while share.leftovers.isEmpty && Date() < deadline { usleep(5_000) }
        #expect(!share.leftovers.isEmpty, "the run made its lock file")
        let sent = Date()
        kill(agent.pid, signal)
        #expect(agent.wait() == 128 + signal)
        #expect(Date().timeIntervalSince(sent) < 3 + 2)
        #expect(share.leftovers.isEmpty)
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        #expect(agent.text.contains("nfskeeper: interrupted (\(name)): stopped; this run's temporary files"),
                "\(agent.text)")
    }

    @Test func aKilledRunsFilesAreRemovedAndNobodyElses() throws {
        let share = try Share()
        _ = try share.run()  // makes the locks directory
        let dir = share.locksDirectory
        let dead = ".nfskeeper-locks-locktest-4194000-feed"  // beyond any PID in use here
        let live = ".nfskeeper-locks-locktest-1-feed"  // PID 1 runs
        let other = ".nfskeeper-locks-othernode-4194000-feed"
        for name in [dead, live, other] { FileManager.default.createFile(atPath: dir + "/" + name, contents: nil) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/.nfskeeper-locks-locktest-4194001-link",
                                                   withDestinationPath: "/etc/hostname")
        let (_, json) = try share.run()
        #expect(json["leftoversRemoved"] as? [String] == [dead])
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(left == [live, other, ".nfskeeper-locks-locktest-4194001-link"])
        #expect(FileManager.default.fileExists(atPath: "/etc/hostname"))
        for name in left { try FileManager.default.removeItem(atPath: dir + "/" + name) }
    }

    @Test func aSymlinkPlantedAsTheLocksDirectoryIsRefusedAndNotFollowed() throws {
        let share = try Share()
        let target = NSTemporaryDirectory() + "nfskeeper-planted-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: target) }
        let backing = try TestServer.backingDirectory("rw") + share.name
        try FileManager.default.createDirectory(atPath: backing + "/.nfskeeper", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: backing + "/.nfskeeper/locks", withDestinationPath: target)
        let (status, json) = try share.run()
        #expect(status == 2)
        let rules = (json["findings"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
        #expect(rules == ["lock-directory"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).isEmpty)
        try FileManager.default.removeItem(atPath: backing + "/.nfskeeper/locks")
    }
}
