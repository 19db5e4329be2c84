import Foundation
import FuzzTargets
import Glibc
import Testing
@testable import Audit
@testable import Fleet
@testable import KernelView
import Reports
import ServerView

/// Input an attacker or a typo controls: names, reports planted in the share, files at our paths.
@Suite struct NodeNameTests {
    @Test func nodeNamesMapInjectivelyToFileNames() throws {
        #expect(try NodeName("web-1").fileComponent == "web_1")
        #expect(try NodeName("ws1.example.com").fileComponent == "ws1.example.com")
        for bad in [
            "web_1", "web 1", "", "-web", ".web", "wéb", "a/b", String(repeating: "a", count: 65), "web\u{1b}[31m",
        ] {
            #expect(throws: NodeName.Invalid.self, "\(bad.debugDescription) must be refused") { try NodeName(bad) }
        }
        // Injective: the file form names exactly one node, and a file name that is no node's form is refused.
        #expect(NodeName(fileComponent: "web_1")?.rawValue == "web-1")
        #expect(NodeName(fileComponent: "web-1") == nil)
        #expect(TemporaryName.safeNode("web-1") != TemporaryName.safeNode("web.1"))
    }
}

@Suite struct FleetTrustTests {
    /// A throwaway local directory standing in for the share (the fleet reads it through the kernel view).
    final class Share {
        let path = NSTemporaryDirectory() + "nfskeeper-share-" + UUID().uuidString
        var nodes: String { path + "/.nfskeeper/nodes" }
        var directory: NodeDirectory { NodeDirectory(share: path, kernel: KernelView(timeout: .seconds(5))) }
        init() throws {
            try FileManager.default.createDirectory(
                atPath: path + "/.nfskeeper/nodes", withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func plant(_ report: NodeReport, as file: String) throws {
            try NodeDirectory.encoder.encode(report).write(to: URL(fileURLWithPath: nodes + "/" + file))
        }
    }

    static func report(
        _ node: String, time: Date = Date(), hashes: [String: String] = [:], keyID: String? = "k1",
        launcher: String? = nil
    ) -> NodeReport {
        NodeReport(
            node: node, version: "0.1.0", time: time, share: "/share", mount: nil, scratchDirectoryOK: true,
            clockOffsetSeconds: 0, negativeLookupP95Seconds: nil, listingP95Seconds: nil, configHashes: hashes,
            configKeyID: keyID, launcherAddress: launcher, launcherPort: launcher == nil ? nil : 5559,
            reachability: [], severity: .ok)
    }

    @Test func aReportSpeaksOnlyForItsOwnFile() throws {
        let share = try Share()
        #expect(share.directory.write(Self.report("node-1", launcher: "10.0.0.1")).value != nil)
        var forged = Self.report("node-1", launcher: "10.6.6.6")
        forged.reachability = [
            .init(node: "node-2", address: "x", port: 1, reachable: false, seconds: nil, error: "forged")
        ]
        try share.plant(forged, as: "zzz.json")
        try share.plant(Self.report("web_1"), as: "web_1.json")  // not a node name
        let (reports, problems) = share.directory.readAll()
        #expect(reports.map(\.launcherAddress) == ["10.0.0.1"])
        #expect(problems.map(\.file).sorted() == ["web_1.json", "zzz.json"])
        #expect(problems.contains { $0.reason.contains("node-1's report") })
        let fleet = FleetReport.build(share: share.path, reports: reports, problems: problems)
        #expect(fleet.reachability.isEmpty && fleet.rows.count == 1)
    }

    @Test func aWatchSummaryIsBelievedOnlyInItsOwnFileAndWithSaneDelays() throws {
        let share = try Share()
        let pairs: [WatchSummary.Pair] = [
            .init(writer: "node-b", lastSeconds: 5.5, maxSeconds: 5.6, seen: 3, neverSeen: 0),
            .init(writer: "node-c", lastSeconds: -1, maxSeconds: nil, seen: 1, neverSeen: 0),
            .init(writer: "node-d", lastSeconds: .infinity, maxSeconds: nil, seen: 1, neverSeen: 0),
            .init(writer: "web_1", lastSeconds: 1, maxSeconds: nil, seen: 1, neverSeen: 0),
            .init(writer: "node-a", lastSeconds: 1, maxSeconds: nil, seen: 1, neverSeen: 0),
        ]
        let own = WatchSummary(reader: "node-a", time: Date(), periodSeconds: 10, pairs: pairs)
        let summaries = try #require(share.directory.openWatchSummaries().value)
        #expect(own.write(into: summaries).value != nil)
        var forged = own
        forged.pairs = [.init(writer: "node-b", lastSeconds: 999, maxSeconds: nil, seen: 1, neverSeen: 0)]
        try NodeDirectory.encoder.encode(forged).write(
            to: URL(fileURLWithPath: share.path + "/.nfskeeper/watch-summaries/zzz.json"))
        let read = share.directory.readWatchSummaries()
        #expect(read.count == 1 && read.first?.pairs.map(\.writer) == ["node-b"])
        let fleet = FleetReport.build(share: share.path, reports: [], problems: [], watches: read)
        #expect(fleet.watchVisibility == ["node-b": ["node-a": 5.5]])
        let stale = FleetReport.build(share: share.path, reports: [], problems: [], watches: read,
                                      now: Date().addingTimeInterval(7200))
        #expect(stale.watchVisibility.isEmpty)
    }

    @Test func reportsAndMarkersAreRootOnly() throws {
        let share = try Share()
        #expect(share.directory.write(Self.report("node-1")).value != nil)
        #expect(share.directory.writeMarker(node: "node-1", offset: 0).value != nil)
        for file in [share.nodes + "/node_1.json", share.path + "/.nfskeeper/markers/node_1.json"] {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
            #expect(mode == 0o600, "\(file)")
        }
    }

    @Test func onlyRegularFilesAreOpened() throws {
        let share = try Share()
        #expect(mkfifo(share.nodes + "/fifo.json", 0o644) == 0)
        #expect(symlink("/etc/passwd", share.nodes + "/link.json") == 0)
        let start = ContinuousClock.now
        let (reports, problems) = share.directory.readAll()
        #expect(ContinuousClock.now - start < .seconds(1), "a FIFO must not cost a timeout")
        #expect(reports.isEmpty)
        #expect(problems.first { $0.file == "fifo.json" }?.reason.contains("not a regular file") == true)
        #expect(problems.first { $0.file == "link.json" }?.reason.contains("unreadable") == true)
    }

    @Test func oneReportCannotMakeEveryNodeDrift() {
        let real = (1...3).map { Self.report("node-\($0)", hashes: ["launcher.conf": "aa"]) }
        let fake = Self.report("node-9", hashes: ["launcher.conf": "aa", "database.conf": "ff"])
        let fleet = FleetReport.build(share: "/s", reports: real + [fake], problems: [])
        #expect(fleet.findings.filter { $0.rule == "config-drift" }.map(\.subject) == ["node-9"])
        // Under another key, fingerprints are not compared but the key is named.
        let other = Self.report("node-8", hashes: ["launcher.conf": "zz"], keyID: "k2")
        let keyed = FleetReport.build(share: "/s", reports: real + [other], problems: [])
        #expect(keyed.findings.filter { $0.rule == "config-drift" }.isEmpty)
        #expect(keyed.findings.filter { $0.rule == "config-key" }.map(\.subject) == ["node-8"])
    }

    @Test func aReportFromTheFutureIsAFindingAndNeverFresh() {
        let now = Date()
        let future = Self.report("node-2", time: now.addingTimeInterval(86_400 * 365), hashes: ["launcher.conf": "bb"])
        let fleet = FleetReport.build(
            share: "/s", reports: [Self.report("node-1", hashes: ["launcher.conf": "aa"]), future],
            problems: [], now: now)
        #expect(fleet.findings.contains { $0.rule == "future-report" && $0.subject == "node-2" })
        #expect(!fleet.findings.contains { $0.rule == "config-drift" && $0.subject == "node-1" })
        #expect(fleet.rows.first { $0.node == "node-2" }?.future == true)
    }

    @Test func launcherConnectsAreCappedAndBoundedByOneTimeout() {
        // 40 planted reports, every launcher in TEST-NET-1 (no answer or no route), plus nonsense addresses.
        let reports =
            (1...40).map { Self.report("node-\($0)", launcher: "192.0.2.\($0)") }
            + [Self.report("evil", launcher: "-oProxyCommand=x"), Self.report("ctl", launcher: "a\u{1b}b")]
        let targets = LauncherReach.targets(reports, except: "node-1")
        #expect(targets.count == 39)
        let start = ContinuousClock.now
        let reached = LauncherReach.reach(targets, timeout: .seconds(1))
        #expect(ContinuousClock.now - start < .milliseconds(1600))
        #expect(reached.count == LauncherReach.maxTargets && reached.allSatisfy { !$0.reachable })
    }

    @Test func largeFleetsPrintSummariesAndKeepTheJSONWhole() throws {
        var reports = (1...40).map { Self.report("node-\($0)") }
        for i in reports.indices {
            reports[i].reachability = reports.map {
                .init(node: $0.node, address: "h", port: 1, reachable: true, seconds: 0, error: nil)
            }
        }
        let fleet = FleetReport.build(share: "/s", reports: reports, problems: [])
        let text = fleet.textReport(color: false)
        #expect(!text.contains("FROM \\ TO") && text.contains("0 of 1560 tried pairs fail"))
        #expect(fleet.reachability.values.map(\.count).reduce(0, +) == 1560)
        #expect(text.split(separator: "\n").count < 60)
    }
}

@Suite struct ConfigFingerprintTests {
    final class Config {
        let path = NSTemporaryDirectory() + "nfskeeper-rstudio-" + UUID().uuidString
        init(key: String?, keyMode: Int = 0o600) throws {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try "provider=postgresql\npassword=hunter2\n".write(
                toFile: path + "/database.conf", atomically: true, encoding: .utf8)
            if let key {
                FileManager.default.createFile(
                    atPath: path + "/secure-cookie-key", contents: Data(key.utf8),
                    attributes: [.posixPermissions: keyMode])
            }
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// The fingerprint is HMAC-SHA256 as Python's hmac module computes it, keyed with secure-cookie-key.
    @Test func fingerprintsAreHMACKeyedWithTheSecureCookieKey() throws {
        let config = try Config(key: "a-secure-cookie-key-0123456789")
        let prints = ConfigFingerprints.compute(rstudioConfig: config.path, root: "/nonexistent", keyFile: nil)
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = [
            "python3", "-c",
            """
            import hmac, hashlib, sys
            key = open(sys.argv[1] + '/secure-cookie-key', 'rb').read()
            print(hmac.new(key, open(sys.argv[1] + '/database.conf', 'rb').read(), hashlib.sha256).hexdigest())
            """, config.path,
        ]
        let pipe = Pipe()
        python.standardOutput = pipe
        try python.run()
        python.waitUntilExit()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(expected.count == 64 && prints.hashes["database.conf"] == expected)
        #expect(prints.keyID?.count == 16 && prints.problem == nil)
    }

    @Test func withoutARootOnlyKeyNothingIsPublished() throws {
        for config in [
            try Config(key: nil), try Config(key: "a-secure-cookie-key-0123456789", keyMode: 0o644),
            try Config(key: "short", keyMode: 0o600),
        ] {
            let prints = ConfigFingerprints.compute(rstudioConfig: config.path, root: "/nonexistent", keyFile: nil)
            #expect(prints.hashes.isEmpty && prints.keyID == nil && prints.problem != nil)
        }
        let other = try Config(key: "another-cluster-key-0123456789")
        let a = ConfigFingerprints.compute(
            rstudioConfig: try Config(key: "a-secure-cookie-key-0123456789").path,
            root: "/nonexistent", keyFile: nil)
        let b = ConfigFingerprints.compute(rstudioConfig: other.path, root: "/nonexistent", keyFile: nil)
        #expect(a.keyID != b.keyID && a.hashes["database.conf"] != b.hashes["database.conf"])
    }
}

@Suite struct LocalFileTests {
    @Test func historyNeverFollowsAPlantedSymlink() throws {
        let dir = NSTemporaryDirectory() + "nfskeeper-history-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "precious\n".write(toFile: dir + "/target", atomically: true, encoding: .utf8)
        #expect(symlink(dir + "/target", dir + "/history.jsonl") == 0)
        #expect(throws: LocalFile.WriteError.self) { try History.append(["{}"], to: dir + "/history.jsonl") }
        #expect(throws: LocalFile.WriteError.self) { try writeAtomically("x", to: dir + "/history.jsonl/x") }
        #expect(try String(contentsOfFile: dir + "/target", encoding: .utf8) == "precious\n")
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        #expect(throws: LocalFile.WriteError.self) { try History.append(["{}"], to: dir + "/fifo") }
        try History.append(["{}"], to: dir + "/new/history.jsonl")
        let mode =
            try FileManager.default.attributesOfItem(atPath: dir + "/new/history.jsonl")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}

/// Every input that once crashed a parser (found by scripts/fuzz or by hand), replayed on a thread
/// with a cooperative task's small stack: each must now return.
@Suite struct FuzzCrashReplayTests {
    @Test(arguments: FuzzTarget.allCases)
    func crashingInputsNowReturn(_ target: FuzzTarget) throws {
        let dir = Fixture.directory.appendingPathComponent("fuzz-crashes/\(target.rawValue)").path
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        for file in files.sorted() {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/" + file)))
            let done = withDeadline(.seconds(20)) {
                bytes.withUnsafeBytes { target.run($0) }; return true
            }
            #expect(done == true, "\(target.rawValue)/\(file)")
        }
    }

    @Test func deepYAMLIsAnErrorNamingTheLine() throws {
        for text in [
            "shares: " + String(repeating: "[", count: 30_000),
            "shares:\n" + String(repeating: "- ", count: 30_000) + "x",
        ] {
            do {
                _ = try AuditConfig(parsing: text, file: "c.yaml")
                Issue.record("a 30 000-deep nesting must be refused")
            } catch {
                #expect(error.description.contains("more than 64 levels deep") && error.line != nil)
            }
        }
        // The shipped example, nested as a real configuration is, stays well within the bound.
        let example = Fixture.directory.appendingPathComponent("../../../scripts/nfskeeper.example.yaml").standardized
            .path
        #expect(try AuditConfig.load(example, required: true).shares.count >= 1)
    }
}
