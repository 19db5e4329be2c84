import Foundation
import Glibc
import Synchronization
import Testing
@testable import Audit
@testable import Check
@testable import KernelView
@testable import Mounts
@testable import Probe
@testable import Provisioning
@testable import ServerView

/// Hostile neighbours and broken mounts (issue 8): the agent keeps working, loses nothing and
/// cannot be turned against the system.
@Suite(.serialized) struct FaultTests {
    @Test func sixteenAgentsProvisionTheSameShareAtOnce() async throws {
        let view = try FuseView(of: try TestServer.backingDirectory("rw"))
        let dir = TestServer.scratchName("crowd")
        let backing = try TestServer.backingDirectory("rw") + dir
        try FileManager.default.createDirectory(
            atPath: backing, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        defer {
            view.unmount()
            try? FileManager.default.removeItem(atPath: backing)
        }
        let server = try TestServer.url("rw")
        let results = await withTaskGroup(of: ProvisionResult.self) { group in
            for node in 0..<16 {
                group.addTask {
                    var r = ProvisionRequest(share: view.mountPoint + dir, node: "node\(node)")
                    (r.owner, r.server, r.allowNonNFS, r.rstudioConfigDirectory) = (
                        "daemon", server, true, "/nonexistent"
                    )
                    return await Provisioner.run(r)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 16)
        #expect(
            results.allSatisfy { $0.exitCode == 0 }, "\(results.flatMap(\.findings).filter { $0.severity >= .warn })")
        #expect(results.filter { $0.actions.contains { $0.action == "mkdir" && $0.done } }.count >= 1)
        var st = stat()
        #expect(lstat(backing + "/Local", &st) == 0 && st.st_uid == 1 && st.st_mode & 0o7777 == 0o755)
        // Each agent's root-squash probe file is gone.
        #expect(try FileManager.default.contentsOfDirectory(atPath: backing) == ["Local"])
    }

    @Test func sixteenAgentsProbeTheSameShareAtOnce() async throws {
        let view = try FuseView(of: try TestServer.backingDirectory("rw"), options: ["negative_timeout=1"])
        defer { view.unmount() }
        let server = try TestServer.url("rw")
        let reports = await withTaskGroup(of: ProbeReport.self) { group in
            for node in 0..<16 {
                group.addTask {
                    var r = ProbeRequest(share: view.mountPoint, node: "crowd\(node)")
                    (r.server, r.allowNonNFS, r.samples, r.maxWait) = (server, true, 2, .seconds(4))
                    r.scenarios = [.negativeLookup, .freshName]
                    return await VisibilityProbe.run(r)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        for report in reports {
            #expect(report.findings.isEmpty, "\(report.findings)")
            #expect(report.scenarios.map(\.samples) == [2, 2] && report.scenarios.allSatisfy { $0.neverVisible == 0 })
            let negative = report.scenarios.first { $0.scenario == .negativeLookup }?.medianSeconds ?? 0
            #expect(negative > 0.5 && negative < 2.5)  // each agent saw its own trials, at the 1 s window
        }
        let probeDir = try TestServer.backingDirectory("rw") + "/.nfskeeper/probe"
        let left = try FileManager.default.contentsOfDirectory(atPath: probeDir).filter { $0.contains("crowd") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func aSymlinkAtTheProbeDirectoryIsRefusedAndItsTargetUntouched() async throws {
        let backing = try TestServer.backingDirectory("v4only")  // an export no other probe test uses
        let bait = NSTemporaryDirectory() + "nfskeeper-bait-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: bait, withIntermediateDirectories: false)
        try? FileManager.default.removeItem(atPath: backing + "/.nfskeeper")
        try FileManager.default.createSymbolicLink(atPath: backing + "/.nfskeeper", withDestinationPath: bait)
        let view = try FuseView(of: backing)
        defer {
            view.unmount()
            try? FileManager.default.removeItem(atPath: backing + "/.nfskeeper")
            try? FileManager.default.removeItem(atPath: bait)
        }
        var r = ProbeRequest(share: view.mountPoint, node: "symlink-test")
        (r.server, r.allowNonNFS, r.samples, r.scenarios) = (try TestServer.url("v4only", .v4), true, 1, [.freshName])
        let report = await VisibilityProbe.run(r)
        #expect(report.findings.contains { $0.rule == "probe-directory" && $0.message.contains("symlink") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: bait).isEmpty)
    }

    @Test func theServerDyingMidProbeIsABoundedErrorAndTheNextRunCleansUp() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: AgentProcess.binary), "build first: swift build")
        let nfsPort = try #require(Int(try TestServer.value("NFSKEEPER_TEST_NFS_PORT")))
        let relay = try TCPRelay(to: nfsPort)
        let view = try FuseView(of: try TestServer.backingDirectory("rw"), options: ["negative_timeout=3"])
        defer { view.unmount() }
        let url = "nfs://127.0.0.1/rw?version=4&nfsport=\(relay.port)"
        let probeDir = try TestServer.backingDirectory("rw") + "/.nfskeeper/probe"
        func mine() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: probeDir)) ?? []).filter { $0.contains("dying") }
        }

        let clock = ContinuousClock()
        let start = clock.now
        let agent = try AgentProcess([
            "probe", view.mountPoint, "--allow-non-nfs", "--server", url, "--node-name", "dying",
            "--samples", "6", "--max-wait", "10", "--timeout", "2", "--json",
        ])
        // Wait until it is mid-probe (its run directory exists), then kill the server.
        for _ in 0..<100 where mine().isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        try #require(!mine().isEmpty, "the agent never started probing: \(agent.text)")
        try await Task.sleep(for: .milliseconds(500))
        relay.cut()
        let status = agent.wait()
        #expect(clock.now - start < .seconds(30))
        #expect(status == 1 || status == 2, "exit \(status): \(agent.text)")
        let report = try JSONDecoder().decode(ProbeReport.self, from: Data(agent.text.utf8))
        #expect(
            report.findings.contains {
                $0.rule == "cleanup" && $0.message.contains("the next probe on this node removes it")
            })
        #expect(!mine().isEmpty)  // the dead server could not be asked to remove them

        try relay.resume()
        var again = ProbeRequest(share: view.mountPoint, node: "dying")
        (again.server, again.allowNonNFS, again.samples, again.scenarios) = (
            try ServerURL(parsing: url), true, 1, [.freshName]
        )
        // Once the server is back, a run removes the dead run's files: the first, or (when the first
        // call after the outage is slow) the next, as the timer would run it.
        var removed = 0, notes: [String] = []
        for _ in 1...3 where !mine().isEmpty {
            let run = await VisibilityProbe.run(again)
            removed += run.leftoversRemoved
            notes += run.findings.map(\.message)
        }
        #expect(removed == 1, "\(notes)")
        #expect(mine().isEmpty, "\(notes)")
        relay.cut()
    }

    @Test func aSymlinkSwappedInWhileProvisioningRunsIsNeverFollowed() async throws {
        let view = try FuseView(
            of: try TestServer.backingDirectory("rw"),
            options: ["entry_timeout=0", "attr_timeout=0", "negative_timeout=0"])
        let dir = TestServer.scratchName("race")
        let backing = try TestServer.backingDirectory("rw") + dir
        try FileManager.default.createDirectory(
            atPath: backing, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        let bait = NSTemporaryDirectory() + "nfskeeper-bait-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: bait, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer {
            view.unmount()
            try? FileManager.default.removeItem(atPath: backing)
            try? FileManager.default.removeItem(atPath: bait)
        }
        // A hostile neighbour flips <share>/Local between a directory (wrong mode) and a symlink to the bait.
        let target = backing + "/Local"
        let stop = Atomic<Bool>(false)
        let racer = Thread {
            while !stop.load(ordering: .relaxed) {
                rmdir(target); unlink(target)
                if Bool.random() { mkdir(target, 0o700) } else { symlink(bait, target) }
            }
        }
        racer.start()
        var request = ProvisionRequest(share: view.mountPoint + dir, node: "race")
        (request.owner, request.server, request.allowNonNFS, request.rstudioConfigDirectory) = (
            "daemon", try TestServer.url("rw"), true, "/nonexistent"
        )
        var outcomes: [Int32] = []
        for _ in 0..<30 { outcomes.append(await Provisioner.run(request).exitCode) }
        stop.store(true, ordering: .relaxed)
        while !racer.isFinished { try await Task.sleep(for: .milliseconds(10)) }
        var st = stat()
        // never chowned nor chmodded
        #expect(lstat(bait, &st) == 0 && st.st_uid == 0 && st.st_gid == 0 && st.st_mode & 0o7777 == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: bait).isEmpty)
        #expect(outcomes.contains(2))  // the symlink was met, and refused
    }

    @Test func aFullExportIsNamedAsSuchAndNothingIsLeftHalfMade() async throws {
        // /small is a 1 MiB tmpfs: fill it on the server's side, as a runaway job would.
        let backing = try TestServer.backingDirectory("small")
        let filler = backing + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let block = [UInt8](repeating: 0x55, count: 65536)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)
        let view = try FuseView(of: backing)
        defer {
            view.unmount()
            unlink(filler)
            try? FileManager.default.removeItem(atPath: backing + "/.nfskeeper")
        }
        let server = try await TestServer.connect("small")
        let full = await #expect(throws: ServerViewError.self) {
            try await server.createExclusive("/x", mode: .ownerReadWrite)
            try await server.write("/x", [1, 2, 3])
        }
        #expect(full?.errno == .noSpace)
        try? await server.unlink("/x")

        var probe = ProbeRequest(share: view.mountPoint, node: "full")
        (probe.server, probe.allowNonNFS, probe.samples, probe.scenarios) = (
            try TestServer.url("small"), true, 2, [.attributeChange]
        )
        let report = await VisibilityProbe.run(probe)
        #expect(report.findings.contains { $0.message.contains("No space left on device") })
        let probeDir = backing + "/.nfskeeper/probe"
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: probeDir)) ?? []).isEmpty)
    }

    @Test(arguments: [ServerURL.Version.v3, .v4])
    func aSymlinkPlantedAtAProbeNameFailsTheExclusiveCreate(_ version: ServerURL.Version) async throws {
        // Probe files are created exclusively (CREATE EXCLUSIVE / OPEN EXCLUSIVE4): a name someone
        // planted, a symlink above all, makes the trial fail; nothing is written through it.
        let bait = NSTemporaryDirectory() + "nfskeeper-bait-" + UUID().uuidString
        FileManager.default.createFile(
            atPath: bait, contents: Data("untouched".utf8), attributes: [.posixPermissions: 0o600])
        let name = TestServer.scratchName("planted")
        let planted = try TestServer.backingDirectory("rw") + name
        try FileManager.default.createSymbolicLink(atPath: planted, withDestinationPath: bait)
        defer {
            try? FileManager.default.removeItem(atPath: planted)
            try? FileManager.default.removeItem(atPath: bait)
        }
        let server = try await TestServer.connect("rw", version)
        let error = await #expect(throws: ServerViewError.self) {
            try await server.createExclusive(name, mode: .ownerReadWrite)
        }
        // NFSv3: EEXIST. NFSv4 (ganesha): ENOENT, as the link points outside the export. Refused either way.
        #expect(error?.errno == (version == .v3 ? .fileExists : .noSuchFileOrDirectory))
        #expect(try String(contentsOfFile: bait, encoding: .utf8) == "untouched")
        var st = stat()
        #expect(lstat(bait, &st) == 0 && st.st_mode & 0o7777 == 0o600)
    }

    @Test func pathsWithSpacesNewlinesAndNonASCIIWorkEndToEnd() async throws {
        // mountinfo escapes the space and the newline (\\040, \\012); every step must still find the mount.
        let view = try FuseView(
            of: try TestServer.backingDirectory("rw"), options: ["negative_timeout=0"], name: "odd view\nné ")
        let dir = "/share with space\nand newline é"
        let backing = try TestServer.backingDirectory("rw") + dir
        try FileManager.default.createDirectory(
            atPath: backing, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        defer {
            view.unmount()
            try? FileManager.default.removeItem(atPath: backing)
        }
        let check = Checker.run(
            paths: [view.mountPoint + dir],
            CheckInput(
                mountInfo: MountInfo(parsing: readWholeFile("/proc/self/mountinfo") ?? ""), mountStats: nil,
                declared: nil,
                kernel: KernelView(timeout: .seconds(5))))
        #expect(check.mounts.first?.mountPoint == view.mountPoint)
        var provision = ProvisionRequest(share: view.mountPoint + dir, node: "odd")
        (provision.owner, provision.server, provision.allowNonNFS, provision.rstudioConfigDirectory) = (
            "daemon", try TestServer.url("rw"), true, "/nonexistent"
        )
        let made = await Provisioner.run(provision)
        #expect(made.exitCode == 0 && made.changed && made.serverPath == dir + "/Local")
        var probe = ProbeRequest(share: view.mountPoint + dir, node: "odd")
        (probe.server, probe.allowNonNFS, probe.samples, probe.scenarios) = (
            try TestServer.url("rw"), true, 2, [.negativeLookup, .listing]
        )
        let measured = await VisibilityProbe.run(probe)
        #expect(measured.findings.isEmpty && measured.scenarios.allSatisfy { $0.neverVisible == 0 })
        #expect(try FileManager.default.contentsOfDirectory(atPath: backing + "/.nfskeeper/probe").isEmpty)
    }

    @Test func anOverlongNameOrANonUTF8PathIsRefusedClearly() async throws {
        let view = try FuseView(of: try TestServer.backingDirectory("rw"))
        defer { view.unmount() }
        var long = ProvisionRequest(share: view.mountPoint, node: "long")
        (long.owner, long.server, long.allowNonNFS, long.rstudioConfigDirectory) = (
            "daemon", try TestServer.url("rw"), true, "/nonexistent"
        )
        long.cluster = String(repeating: "L", count: 300)
        let result = await Provisioner.run(long)
        #expect(result.exitCode == 2 && !result.changed)
        #expect(result.findings.contains { $0.message.contains("File name too long") })
        // A non-UTF-8 byte reaches Swift as U+FFFD: no such path, said as such, nothing touched.
        let (status, text) = try Self.asRoot(["check", view.mountPoint + "/caf\u{FFFD}"])
        #expect(status == 2 && text.contains("No such file or directory"))
    }

    static func asRoot(_ arguments: [String]) throws -> (Int32, String) {
        let binary = AgentProcess.binary
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let output = Pipe()
        (process.standardOutput, process.standardError) = (output, output)
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// Runs nfskeeper as nobody (setpriv) and returns its exit status and output.
    static func asNobody(_ arguments: [String]) throws -> (Int32, String) {
        let binary = AgentProcess.binary
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", binary] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: "/tmp")
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func asANonRootUserCheckWorksAndNothingImpersonatesAnyone() throws {
        let url = try TestServer.url("rw").description
        let (checkStatus, checkText) = try Self.asNobody(["check", "/tmp", "--json"])
        #expect(checkStatus == 2 && checkText.contains("\"rule\" : \"not-nfs\""))  // judged, not refused
        let (serverStatus, serverText) = try Self.asNobody(["server", url, "--samples", "2"])
        #expect(serverStatus == 0 && serverText.contains("Reachable:") && serverText.contains("not run as root"))
        let (provisionStatus, provisionText) = try Self.asNobody([
            "provision", "--share", "/tmp", "--owner", "daemon", "--allow-non-nfs",
        ])
        #expect(provisionStatus == 2 && provisionText.contains("run it as root"))
        let (probeStatus, probeText) = try Self.asNobody([
            "probe", "/tmp", "--allow-non-nfs", "--server", url, "--uid", "0",
        ])
        #expect(probeStatus == 2 && probeText.contains("only root may act as uid=0"))
    }

    @Test func aHungMountEndsCheckAndAuditWithinTheTimeout() async throws {
        let view = try FuseView(of: try TestServer.backingDirectory("rw"))
        let daemon = try #require(view.daemonPID)
        kill(daemon, SIGSTOP)
        defer {
            kill(daemon, SIGCONT)
            view.unmount()
        }
        let clock = ContinuousClock()
        let start = clock.now
        let check = Checker.run(
            paths: [view.mountPoint + "/sub"],
            CheckInput(
                mountInfo: MountInfo(parsing: readWholeFile("/proc/self/mountinfo") ?? ""), mountStats: nil,
                declared: nil,
                kernel: KernelView(timeout: .seconds(1))))
        #expect(check.allFindings.first?.rule == "hung" && check.severity == .crit)

        var config = AuditConfig()
        var share = AuditConfig.Share(path: view.mountPoint)
        share.server = try TestServer.url("rw")
        (share.allowNonNFS, share.provision, share.owner) = (true, true, "daemon")
        config.shares = [share]
        config.timeout = 1
        let audit = await Auditor.run(Auditor.Options(config: config, node: "hung-test"))
        #expect(audit.severity == .crit && audit.shares.first?.findings.contains { $0.rule == "hung" } == true)
        #expect(audit.shares.first?.probe == nil)  // nothing more is asked of a hung mount
        #expect(clock.now - start < .seconds(15))
    }
    /// A watch whose mount hangs for 4 s (the FUSE daemon stopped) reports it within --timeout, keeps
    /// running, makes canaries again once the mount answers, and ends on time with its canaries removed.
    @Test func aHungMountIsAWatchFindingAndTheWatchGoesOn() throws {
        let view = try FuseView(of: try TestServer.backingDirectory("rw"))
        let daemon = try #require(view.daemonPID)
        let share = view.mountPoint + "/" + TestServer.scratchName("watch-hung")
        try FileManager.default.createDirectory(atPath: share, withIntermediateDirectories: false)
        defer {
            kill(daemon, SIGCONT)
            try? FileManager.default.removeItem(atPath: share)
            view.unmount()
        }
        let clock = ContinuousClock()
        let start = clock.now
        let agent = try AgentProcess(["watch", share, "--period", "1", "--duration", "10", "--timeout", "1",
                                      "--node-name", "hung-watch", "--json"])
        usleep(2_500_000)
        kill(daemon, SIGSTOP)
        usleep(4_000_000)
        kill(daemon, SIGCONT)
        let status = agent.wait()
        let report = try JSONSerialization.jsonObject(with: Data(agent.text.utf8)) as? [String: Any] ?? [:]
        let findings = report["findings"] as? [[String: Any]] ?? []
        #expect(status == 2 && findings.contains { $0["rule"] as? String == "hung" }, "\(agent.text.prefix(600))")
        // About 2 canaries before the hang and 3 after it: it went on.
        #expect((report["canariesWritten"] as? Int ?? 0) >= 4, "\(report["canariesWritten"] ?? "none")")
        #expect(clock.now - start < .seconds(14))
        let left = FileManager.default.subpaths(atPath: share + "/.nfskeeper/watch")
        #expect(left == [], "left behind: \(left ?? [])")
    }
}
