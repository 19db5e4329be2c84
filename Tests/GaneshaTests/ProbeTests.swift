import Audit
import Check
import Foundation
import Glibc
import KernelView
import Reports
import Synchronization
import SystemPackage
import Testing
@testable import Probe
@testable import ServerView

/// `nfskeeper probe` against ganesha, with bindfs views whose kernel caches are known:
/// `negative_timeout=N` keeps "no such file" for N seconds, as lookupcache=all does for up to acdirmax.
@Suite(.serialized) struct ProbeTests {
    static func request(
        _ view: FuseView, _ scenarios: [Scenario], samples: Int = 6, maxWait: Duration = .seconds(6)
    ) throws -> ProbeRequest {
        var r = ProbeRequest(share: view.mountPoint, node: "probe-test")
        r.server = try TestServer.url("rw")
        r.allowNonNFS = true
        r.scenarios = scenarios
        r.samples = samples
        r.maxWait = maxWait
        r.timeout = .seconds(10)  // the default: under the whole suite's load, 3 s calls did time out
        return r
    }

    /// Entries left in the export's probe directory.
    static func leftovers() throws -> [String] {
        let dir = try TestServer.backingDirectory("rw") + "/.nfskeeper/probe"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.contains("probe_test") }
    }

    @Test func aTwoSecondNegativeCacheShowsAsATwoSecondDelay() async throws {
        let view = try FuseView(
            of: try TestServer.backingDirectory("rw"),
            options: ["negative_timeout=2", "entry_timeout=2", "attr_timeout=2"])
        defer { view.unmount() }
        let report = await VisibilityProbe.run(try Self.request(view, [.negativeLookup, .freshName, .deletion]))
        let byName = Dictionary(uniqueKeysWithValues: report.scenarios.map { ($0.scenario, $0) })
        let negative = try #require(byName[.negativeLookup]?.medianSeconds)
        #expect(negative > 1.5 && negative < 3.0)
        #expect(try #require(byName[.freshName]?.medianSeconds) < 0.5)
        #expect(try #require(byName[.deletion]?.medianSeconds) > 1.5)
        #expect(report.scenarios.allSatisfy { $0.neverVisible == 0 && $0.samples == 6 })
        #expect(report.findings.isEmpty && report.costNote?.contains("not NFS") == true)
        #expect(try Self.leftovers().isEmpty)
    }

    @Test func noNegativeCacheShowsAsTheFloor() async throws {
        let view = try FuseView(
            of: try TestServer.backingDirectory("rw"),
            options: ["negative_timeout=0", "entry_timeout=0", "attr_timeout=0"])
        defer { view.unmount() }
        let report = await VisibilityProbe.run(try Self.request(view, [.negativeLookup, .listing, .attributeChange]))
        for result in report.scenarios {
            #expect(try #require(result.medianSeconds) < 0.5, "\(result.scenario)")
        }
        #expect(try #require(report.resolutionSeconds) < 0.1)
        #expect(try Self.leftovers().isEmpty)
    }

    @Test func aWindowLongerThanMaxWaitIsCountedAsNeverVisible() async throws {
        let view = try FuseView(of: try TestServer.backingDirectory("rw"), options: ["negative_timeout=5"])
        defer { view.unmount() }
        let report = await VisibilityProbe.run(
            try Self.request(view, [.negativeLookup], samples: 3, maxWait: .seconds(1)))
        #expect(report.scenarios.first?.neverVisible == 3)
        #expect(report.scenarios.first?.severity == .crit)
        #expect(try Self.leftovers().isEmpty)
    }

    @Test func cancellingMidProbeRemovesEverything() async throws {
        // What SIGINT/SIGTERM do: cancel the task; the probe stops and removes what it made.
        let view = try FuseView(of: try TestServer.backingDirectory("rw"), options: ["negative_timeout=10"])
        defer { view.unmount() }
        let request = try Self.request(view, Scenario.allCases, samples: 10, maxWait: .seconds(30))
        let task = Task { await VisibilityProbe.run(request) }
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try !Self.leftovers().isEmpty)  // it was mid-run
        task.cancel()
        let report = await task.value
        #expect(report.wallSeconds < 10, "\(report.findings) \(report.scenarios.map { ($0.scenario, $0.samples) })")
        #expect(try Self.leftovers().isEmpty)
        #expect(report.removedAtEnd >= 56, "50 trial directories, 5 scenario directories, the run's, and files")
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func aSignalToTheAgentRemovesEverything(_ signal: Int32) async throws {
        let binary = AgentProcess.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build first: swift build")
        let view = try FuseView(of: try TestServer.backingDirectory("rw"), options: ["negative_timeout=10"])
        defer { view.unmount() }
        let agent = try AgentProcess(
            [
                "probe", view.mountPoint, "--allow-non-nfs", "--server",
                try TestServer.url("rw").description, "--node-name", "probe-test",
                "--samples", "10", "--max-wait", "30",
            ], errorsToo: true)
        try await Task.sleep(for: .seconds(2))
        #expect(try !Self.leftovers().isEmpty)
        kill(agent.pid, signal)
        #expect(agent.wait() == 128 + signal)
        #expect(try Self.leftovers().isEmpty)
        // One line says so, with the count: 50 trial directories, 5 scenario directories, the run's, and files.
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        let line = #/interrupted \(\w+\): stopped; removed this run's (\d+) temporary/#
        let said = try #require(agent.text.firstMatch(of: line), "\(agent.text)")
        #expect(agent.text.contains("interrupted (\(name))") && Int(said.1)! >= 56, "\(agent.text)")
    }

    @Test func leftoversOfADeadProbeOfThisNodeAreRemovedAndNothingElse() async throws {
        let root = try await TestServer.connect("rw")
        try? await root.mkdir("/.nfskeeper", mode: FilePermissions(rawValue: 0o755))
        try? await root.mkdir("/.nfskeeper/probe", mode: FilePermissions(rawValue: 0o755))
        let dead: Int32 = 2_000_000  // above pid_max: no such process
        let mine = "/.nfskeeper/probe/.nfskeeper-probe-probe_test-\(dead)-abc"
        let otherNode = "/.nfskeeper/probe/.nfskeeper-probe-other_node-\(dead)-abc"
        let alive = "/.nfskeeper/probe/.nfskeeper-probe-probe_test-1-abc"  // pid 1 runs
        for dir in [mine, otherNode, alive] {
            try await root.mkdir(dir, mode: FilePermissions(rawValue: 0o755))
            try await root.mkdir(dir + "/fresh-name", mode: FilePermissions(rawValue: 0o755))
            try await root.createExclusive(dir + "/fresh-name/t0", mode: .ownerReadWrite)
        }
        let view = try FuseView(of: try TestServer.backingDirectory("rw"))
        defer { view.unmount() }
        let report = await VisibilityProbe.run(try Self.request(view, [.freshName], samples: 1))
        #expect(report.leftoversRemoved == 1)
        #expect(try await root.exists(mine) == false)
        #expect(try await root.exists(otherNode + "/fresh-name/t0"))
        #expect(try await root.exists(alive + "/fresh-name/t0"))
        for dir in [otherNode, alive] {
            try await root.unlink(dir + "/fresh-name/t0")
            try await root.rmdir(dir + "/fresh-name")
            try await root.rmdir(dir)
        }
    }

    @Test func aHungMountIsAFindingWithinTheTimeout() async throws {
        let view = try FuseView(of: try TestServer.backingDirectory("rw"))
        let daemon = try #require(view.daemonPID)
        kill(daemon, SIGSTOP)  // every call on the view now waits for a daemon that does not run
        defer {
            kill(daemon, SIGCONT)
            view.unmount()
        }
        let clock = ContinuousClock()
        let start = clock.now
        var request = try Self.request(view, [.negativeLookup], samples: 2)
        request.timeout = .seconds(1)
        let report = await VisibilityProbe.run(request)
        #expect(clock.now - start < .seconds(10))
        #expect(report.findings.contains { $0.rule == "hung" && $0.severity == .crit })
    }
}

/// The first verdict: one primed name, watched for a second, answered before the full measurement.
/// (In ProbeTests' serialized suite: every probe test counts the same node's leftovers.)
extension ProbeTests {
    /// `probe --quick` on a view that keeps "no such file" for `negativeTimeout` seconds.
    func quickProbe(negativeTimeout: Double) async throws -> ProbeReport {
        let view = try FuseView(
            of: try TestServer.backingDirectory("rw"),
            options: ["negative_timeout=\(negativeTimeout)"])
        defer { view.unmount() }
        var request = try ProbeTests.request(view, [.negativeLookup], samples: 1)
        request.quick = true
        return await VisibilityProbe.run(request)
    }

    @Test func aMountThatCachesMissesHidesTheNewFile() async throws {
        let report = try await quickProbe(negativeTimeout: 3)
        let verdict = try #require(report.firstVerdict)
        #expect(verdict.hidesNewFile && verdict.watchedSeconds == 1)
        #expect(verdict.tookSeconds < 2.5 && report.wallSeconds < 3)
        #expect(report.scenarios.isEmpty)  // quick: no full measurement
        #expect(report.findings.map(\.rule) == ["first-verdict"] && report.severity == .warn)
        #expect(try ProbeTests.leftovers().isEmpty)
    }

    /// A cache shorter than the watch (or one a slow node spent most of before the server's create) still hides:
    /// the first poll after the create missed the name.
    @Test func aWindowShorterThanTheWatchStillHides() async throws {
        let report = try await quickProbe(negativeTimeout: 0.5)
        let verdict = try #require(report.firstVerdict)
        #expect(verdict.hidesNewFile, "\(verdict)")
        #expect((0.2...1.0).contains(verdict.seenAfterSeconds ?? 9), "\(verdict)")
        #expect(report.findings.first?.message.contains("hidden for") == true, "\(report.findings)")
    }

    @Test func aMountWithoutANegativeCacheShowsItAtOnce() async throws {
        let report = try await quickProbe(negativeTimeout: 0)
        let verdict = try #require(report.firstVerdict)
        #expect(!verdict.hidesNewFile && (verdict.seenAfterSeconds ?? 9) < 0.5)
        #expect(report.findings.isEmpty && report.severity == .ok)
    }

    @Test func theFullRunReportsTheVerdictFirst() async throws {
        let view = try FuseView(of: try TestServer.backingDirectory("rw"), options: ["negative_timeout=2"])
        defer { view.unmount() }
        var request = try ProbeTests.request(view, [.negativeLookup], samples: 2)
        let seen = Mutex<(FirstVerdict?, Int)>((nil, 0))
        request.onFirstVerdict = { v in seen.withLock { $0 = (v, $0.1 + 1) } }
        let report = await VisibilityProbe.run(request)
        let (early, calls) = seen.withLock { $0 }
        #expect(calls == 1 && early?.hidesNewFile == true)
        #expect(report.firstVerdict?.hidesNewFile == true)
        #expect(try #require(report.scenarios.first?.minSeconds) > 1.5)  // the full measurement still ran
    }
}

/// Each trial works in a directory no other trial touches, and cleanup leaves none behind.
extension ProbeTests {
    @Test func everyTrialHasItsOwnDirectory() async throws {
        let view = try FuseView(of: try TestServer.backingDirectory("rw"), options: ["negative_timeout=2"])
        defer { view.unmount() }
        let backing = try TestServer.backingDirectory("rw") + "/.nfskeeper/probe"
        var request = try ProbeTests.request(view, [.negativeLookup, .listing], samples: 4)
        let layout = Mutex<[String]>([])
        request.progress = { _ in  // trials are running: every directory of the run exists
            func names(_ path: String) -> [String] {
                (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []  // nil: not there (yet)
            }
            var dirs: [String] = []
            for run in names(backing) where run.contains("probe_test") {
                for group in names("\(backing)/\(run)") {
                    dirs += names("\(backing)/\(run)/\(group)").map { "\(group)/\($0)" }
                }
            }
            layout.withLock { $0 = dirs.sorted() }
        }
        let report = await VisibilityProbe.run(request)
        let trials = 0..<(4 + ProbeRun.spareTrials)  // each scenario's samples, then its spares
        let expected = ["first-verdict/0"] + trials.map { "listing/\($0)" } + trials.map { "negative-lookup/\($0)" }
        #expect(layout.withLock { $0 } == expected)
        // Eight concurrent trials each see the whole 2 s window: none shortens another's.
        let negative = try #require(report.scenarios.first { $0.scenario == .negativeLookup })
        #expect(try #require(negative.minSeconds) > 1.8 && negative.samples == 4)
        // Started one after another: the server's change follows this node's fetch within moments.
        #expect(
            report.scenarios.allSatisfy { ($0.maxLagSeconds ?? 9) < 0.5 },
            "\(report.scenarios.map(\.maxLagSeconds))")
        // Polled every 10 ms on an idle node: each figure is late by a few polls at most.
        #expect(
            report.scenarios.allSatisfy { ($0.maxPollGapSeconds ?? 9) < 0.2 },
            "\(report.scenarios.map(\.maxPollGapSeconds))")
        #expect(try ProbeTests.leftovers().isEmpty)
    }
}

/// A server whose change lands long after this node's fetch: the trial measures the server, not the cache,
/// and is started again on a spare directory. The relay delays NFSv3 CREATE (procedure 8) replies.
extension ProbeTests {
    static func slowCreates(_ calls: Int, samples: Int) async throws -> ScenarioResult {
        let relay = try TCPRelay(to: try #require(Int(try TestServer.value("NFSKEEPER_TEST_NFS_PORT"))),
                                 losesReplies: true)
        defer { relay.cut() }
        let view = try FuseView(of: try TestServer.backingDirectory("rw"), options: ["negative_timeout=2"])
        defer { view.unmount() }
        var request = try request(view, [.negativeLookup], samples: samples)
        request.server = try TestServer.url("rw", .v3)
        request.server?.nfsPort = relay.port
        // The first verdict's CREATE comes first; the trials' after it.
        relay.delayReplies(toProcedure: 8, calls: 1 + calls, by: .milliseconds(1500))
        let report = await VisibilityProbe.run(request)
        #expect(try leftovers().isEmpty)
        return try #require(report.scenarios.first, "\(report.findings)")
    }

    @Test func aTrialWhoseChangeCameLateIsStartedAgain() async throws {
        let result = try await Self.slowCreates(2, samples: 3)
        #expect(result.rerunTrials == 2 && result.samples == 3 && result.neverVisible == 0, "\(result)")
        #expect(try #require(result.maxLagSeconds) < 0.5, "only the undisturbed trials are kept")
        #expect(try #require(result.minSeconds) > 1.8, "each kept trial saw the whole 2 s window")
        #expect(result.verdict.contains("2 started again") && !result.verdict.contains("fall short"), "\(result)")
    }

    @Test func withNoSpareLeftTheDisturbedTrialIsKeptAndSaidSo() async throws {
        // Trials 0 and 1, then spares 2, 3 and 4: three started again, spares 3 and 4 kept although late.
        let result = try await Self.slowCreates(5, samples: 2)
        #expect(result.rerunTrials == ProbeRun.spareTrials && result.samples == 2, "\(result)")
        #expect(try #require(result.maxLagSeconds) > 1.4)
        #expect(result.verdict.contains("may fall short of the window by up to"), "\(result)")
    }
}

/// Numbers a typo or a script controls: a clear usage error (exit 64), never a trap or 24 GB.
@Suite struct ProbeInputBoundsTests {
    @Test(arguments: [
        ["--max-wait", "nan"], ["--max-wait", "1e300"], ["--max-wait", "inf"], ["--max-wait", "-1"],
        ["--samples", "100000000"], ["--samples", "0"], ["--timeout", "0"], ["--timeout", "-3"],
        ["--timeout", "1e300"],
        ["--timeout", "nan"], ["--interval", "nan"], ["--target-delay", "nan"], ["--target-delay", "1e300"],
    ])
    func absurdNumbersAreUsageErrors(_ option: [String]) throws {
        let agent = try AgentProcess(["probe", "/tmp"] + option, errorsToo: true)
        let status = agent.wait()
        #expect(status == 64, "\(option): exit \(status): \(agent.text)")
        #expect(agent.text.contains(option[0]), "\(option): \(agent.text)")
    }

    @Test(arguments: [["--max-wait", "nan"], ["--samples", "100000000"], ["--timeout", "1e300"]])
    func auditRefusesThemToo(_ option: [String]) throws {
        let agent = try AgentProcess(["audit", "--share", "/tmp"] + option, errorsToo: true)
        #expect(agent.wait() == 64, "\(option): \(agent.text)")
    }
}

/// Input a typo or a neighbour controls ends in a clear error, never a trap (issue 14's crashes).
@Suite struct HostileInputBoundsTests {
    @Test(arguments: [
        ["history", "--last=-5"], ["history", "--last", "0"], ["fleet", "/tmp", "--stale-after", "nan"],
        ["fleet", "/tmp", "--stale-after", "1e300"],
    ])
    func absurdNumbersAreUsageErrors(_ arguments: [String]) throws {
        let agent = try AgentProcess(arguments, errorsToo: true)
        #expect(agent.wait() == 64, "\(arguments): \(agent.text)")
    }

    @Test func anEndlessMountinfoIsRefusedNotRead() throws {
        let agent = try AgentProcess(["check", "--mountinfo", "/dev/zero"], errorsToo: true)
        let status = agent.wait()
        #expect(status == 3, "exit \(status): \(agent.text)")
        #expect(agent.text.contains("over 64 MiB"))
    }
}

/// NFSv4 id mapping on a directory the probe makes as root: a bindfs view that maps root to nobody stands for
/// a node whose idmapd Domain is wrong, declared NFSv4 in a mount table of its own (its real device numbers).
extension ProbeTests {
    func ownersProbe(_ mapRootToNobody: Bool) async throws -> ProbeReport {
        let view = try FuseView(of: try TestServer.backingDirectory("rw"),
                                options: mapRootToNobody ? ["map=0/65534:@0/@65534"] : [])
        defer { view.unmount() }
        let st = try #require(KernelView(timeout: .seconds(5)).openDirectoryNoFollow(view.mountPoint)
            .then { $0.status() }.value)
        let mountinfo = NSTemporaryDirectory() + "nfskeeper-owners-\(UUID().uuidString).mountinfo"
        defer { try? FileManager.default.removeItem(atPath: mountinfo) }
        try "41 30 \(st.deviceMajor):\(st.deviceMinor) / \(view.mountPoint) rw,relatime - nfs4 127.0.0.1:/rw "
            .appending("rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,sec=sys\n")
            .write(toFile: mountinfo, atomically: true, encoding: .utf8)
        var request = try Self.request(view, [.negativeLookup], samples: 1)
        (request.quick, request.allowNonNFS, request.mountInfoPath) = (true, false, mountinfo)
        request.idMap = IdMapSettings(domain: "wrong.test", idmappingDisabled: true)
        request.serverOwners = ServerOwners.reader(timeout: .seconds(3))
        return await VisibilityProbe.run(request)
    }

    @Test func aDirectoryMadeAsRootShownAsNobodyIsIdMapping() async throws {
        let report = try await ownersProbe(true)
        let owners = try #require(report.owners, "\(report.findings)")
        #expect(owners.kernel == Owner(uid: 65534, gid: 65534) && owners.server == Owner(uid: 0, gid: 0))
        let found = report.findings.filter { $0.rule == .idmap }
        #expect(found.count == 2 && found.allSatisfy { $0.severity == .warn && $0.message.contains("wrong.test") },
                "\(report.findings)")
        #expect(try ProbeTests.leftovers().isEmpty)
    }

    @Test func aDirectoryMadeAsRootShownAsRootNeedsNoServerOwner() async throws {
        let report = try await ownersProbe(false)
        let owners = try #require(report.owners, "\(report.findings)")
        #expect(owners.kernel == Owner(uid: 0, gid: 0) && owners.server == nil)
        #expect(!report.findings.contains { IdMapping.rules.contains($0.rule) }, "\(report.findings)")
    }
}
