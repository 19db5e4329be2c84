import Foundation
import SystemPackage
import Synchronization
import Testing
@testable import KernelView
@testable import Provisioning
@testable import ServerView

/// `nfskeeper provision` against the real ganesha, with a bindfs view standing in for this node's mount.
/// Each test works in a directory of its own on the export.
@Suite struct ProvisionTests {
    /// A fresh directory on `export` (made through NFS, mode 0777), a view of the export, and a request
    /// for `<view>/<dir>` owned by `daemon` (uid 1, on every Debian).
    struct Setup {
        let export: String
        let dir: String
        let view: FuseView
        let url: ServerURL
        var request: ProvisionRequest
        var backing: String { (try? TestServer.backingDirectory(export)).map { $0 + dir } ?? "" }
        var scratchOnDisk: String { backing + "/Local" }

        init(_ export: String, viewOptions: [String] = [], version: ServerURL.Version = .v3) async throws {
            self.export = export
            url = try TestServer.url(export, version)
            dir = TestServer.scratchName("share")
            let root = try await ServerView.connect(url, as: .root)
            try await root.mkdir(dir, mode: FilePermissions(rawValue: 0o777))
            try await root.chmod(dir, mode: FilePermissions(rawValue: 0o777))
            view = try FuseView(of: try TestServer.backingDirectory(export), options: viewOptions)
            request = ProvisionRequest(share: view.mountPoint + dir, node: "provision-test")
            request.owner = "daemon"
            request.server = url
            request.allowNonNFS = true
            request.rstudioConfigDirectory = "/nonexistent"
            request.timeout = .seconds(5)
        }

        func tearDown() {
            view.unmount()
            try? FileManager.default.removeItem(atPath: backing)
        }

        func onDisk() throws -> (uid: UInt32, gid: UInt32, mode: UInt32) {
            var st = stat()
            guard lstat(scratchOnDisk, &st) == 0 else { throw POSIXError(.ENOENT) }
            return (st.st_uid, st.st_gid, UInt32(st.st_mode & 0o7777))
        }
    }

    @Test func createsItThenASecondRunChangesNothing() async throws {
        let s = try await Setup("rw")
        defer { s.tearDown() }
        let first = await Provisioner.run(s.request)
        #expect(first.changed && first.exitCode == 0)
        #expect(first.actions.map(\.action) == ["mkdir"] && first.actions[0].route == .kernel)
        #expect(try s.onDisk() == (1, 1, 0o755))
        #expect(first.serverView == DirectoryView(uid: 1, gid: 1, mode: "0755"))
        #expect(first.kernelView == first.serverView)
        let second = await Provisioner.run(s.request)
        #expect(!second.changed && second.actions.isEmpty && second.exitCode == 0)
    }

    @Test func modeAndOwnerDriftAreFixed() async throws {
        let s = try await Setup("rw")
        defer { s.tearDown() }
        _ = await Provisioner.run(s.request)
        // Another node's admin changed it: through NFS, as that node would.
        let root = try await ServerView.connect(s.url, as: .root)
        try await root.chown(s.dir + "/Local", uid: 4242, gid: 4242)
        try await root.chmod(s.dir + "/Local", mode: FilePermissions(rawValue: 0o700))
        let fixed = await Provisioner.run(s.request)
        #expect(fixed.changed && Set(fixed.actions.map(\.action)) == ["chown", "chmod"])
        #expect(try s.onDisk() == (1, 1, 0o755))
    }

    @Test func aDryRunPlansAndChangesNothing() async throws {
        let s = try await Setup("rw")
        defer { s.tearDown() }
        var request = s.request
        request.dryRun = true
        let plan = await Provisioner.run(request)
        #expect(!plan.changed && plan.actions.map(\.action) == ["mkdir"] && plan.actions.allSatisfy { !$0.done })
        #expect(!FileManager.default.fileExists(atPath: s.scratchOnDisk))
    }

    @Test func onARootSquashedExportTheOwnerCreatesItThroughTheServerView() async throws {
        // The view squashes like the export: root's files become nobody's, root's chown is EPERM.
        let s = try await Setup(
            "squash", viewOptions: ["create-for-user=65534", "create-for-group=65534", "chown-deny"])
        defer { s.tearDown() }
        let result = await Provisioner.run(s.request)
        #expect(result.rootSquashed == true && result.changed && result.exitCode == 0)
        #expect(result.actions.first?.route == .serverView)
        #expect(try s.onDisk() == (1, 1, 0o755))
        #expect(result.kernelView == result.serverView)
        #expect(!(await Provisioner.run(s.request)).changed)
    }

    @Test func onARootSquashedExportAForeignOwnerNeedsTheStorageAdmin() async throws {
        let s = try await Setup("squash", viewOptions: ["create-for-user=65534", "chown-deny"])
        defer { s.tearDown() }
        let stranger = try await ServerView.connect(s.url, as: NFSCredentials(uid: 4242, gid: 4242))
        try await stranger.mkdir(s.dir + "/Local", mode: FilePermissions(rawValue: 0o700))
        let result = await Provisioner.run(s.request)
        #expect(result.exitCode == 2 && !result.changed)
        let finding = try #require(result.findings.first { $0.rule == "owner" })
        #expect(finding.fix?.contains("on the NFS server: chown 1:1") == true)
        #expect(try s.onDisk().uid == 4242)
    }

    @Test func aSymlinkAtTheTargetIsRefusedAndItsTargetUntouched() async throws {
        let s = try await Setup("rw")
        defer { s.tearDown() }
        let bait = NSTemporaryDirectory() + "nfskeeper-bait-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: bait, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: bait) }
        try FileManager.default.createSymbolicLink(atPath: s.scratchOnDisk, withDestinationPath: bait)
        let result = await Provisioner.run(s.request)
        #expect(result.exitCode == 2 && !result.changed)
        #expect(result.findings.contains { $0.rule == "symlink" })
        var st = stat()
        #expect(lstat(bait, &st) == 0 && st.st_uid == 0 && st.st_mode & 0o7777 == 0o700)
    }

    @Test func aSymlinkOnTheWayToTheShareIsRefused() async throws {
        let s = try await Setup("rw")
        defer { s.tearDown() }
        let link = NSTemporaryDirectory() + "nfskeeper-link-" + UUID().uuidString
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: s.view.mountPoint)
        defer { try? FileManager.default.removeItem(atPath: link) }
        var request = s.request
        request.share = link + s.dir
        let result = await Provisioner.run(request)
        #expect(result.findings.first?.rule == "symlink" && result.exitCode == 2)
        #expect(!FileManager.default.fileExists(atPath: s.scratchOnDisk))
    }

    @Test func anUnknownOwnerIsAClearErrorAndNothingIsMade() async throws {
        let s = try await Setup("rw")
        defer { s.tearDown() }
        var request = s.request
        request.owner = "nfskeeper-no-such-user"
        let result = await Provisioner.run(request)
        #expect(result.exitCode == 2 && result.findings.first?.rule == "owner")
        #expect(!FileManager.default.fileExists(atPath: s.scratchOnDisk))
    }

    @Test func aReadOnlyExportIsAClearErrorAndNothingIsMade() async throws {
        let view = try FuseView(of: try TestServer.backingDirectory("ro"))
        defer { view.unmount() }
        var request = ProvisionRequest(share: view.mountPoint, node: "provision-test")
        request.owner = "daemon"
        request.server = try TestServer.url("ro")
        request.allowNonNFS = true
        let result = await Provisioner.run(request)
        #expect(result.exitCode == 2 && result.findings.first?.rule == "read-only")
        #expect(!FileManager.default.fileExists(atPath: try TestServer.backingDirectory("ro") + "/Local"))
    }

    @Test func anUnreachableServerIsAClearErrorAndNothingIsMade() async throws {
        let s = try await Setup("rw")
        defer { s.tearDown() }
        var request = s.request
        request.server = ServerURL(
            host: "127.0.0.1", export: "/rw", nfsPort: try SilentServer.unusedPort(), mountPort: 1)
        let result = await Provisioner.run(request)
        #expect(result.exitCode == 2 && result.findings.first?.rule == "server")
        #expect(result.findings.first?.message.contains("Connection refused") == true)
        #expect(!FileManager.default.fileExists(atPath: s.scratchOnDisk))
    }

    @Test func aShareThatIsNotNFSIsRefusedUnlessAllowed() async throws {
        let s = try await Setup("rw")
        defer { s.tearDown() }
        var request = s.request
        request.allowNonNFS = false
        let result = await Provisioner.run(request)
        #expect(result.exitCode == 2 && result.findings.first?.rule == "not-nfs")
        #expect(!FileManager.default.fileExists(atPath: s.scratchOnDisk))
    }
}

/// A racer with write access to the share's parent swaps the share directory for a symlink and back,
/// again and again, while the squash route provisions through the server view (which acts by path).
@Suite struct ProvisionSwapTests {
    final class Racer: @unchecked Sendable {
        let share: String, decoy: String
        final class Flag: Sendable { let raised = Atomic<Bool>(false) }
        private let stop = Flag()
        private let done = DispatchSemaphore(value: 0)
        private let thread: Thread
        init(share: String, decoy: String) {
            (self.share, self.decoy) = (share, decoy)
            let (stop, done) = (stop, done)
            thread = Thread {
                defer { done.signal() }
                while !stop.raised.load(ordering: .relaxed) {
                    guard rename(share, share + ".held") == 0 else { continue }
                    symlink((decoy as NSString).lastPathComponent, share)  // relative: within the export
                    usleep(300)
                    unlink(share)
                    rename(share + ".held", share)
                    usleep(300)
                }
            }
            thread.start()
        }
        func finish() {
            stop.raised.store(true, ordering: .relaxed)
            done.wait()  // the last swap is undone before the thread ends
        }
    }

    @Test func aSwappedShareIsNeverProvisionedSilently() async throws {
        // No FUSE caching: this node's view follows each swap as a real NFS client's revalidation would.
        let options = [
            "create-for-user=65534", "create-for-group=65534", "chown-deny",
            "entry_timeout=0", "attr_timeout=0", "negative_timeout=0",
        ]
        let s = try await ProvisionTests.Setup("squash", viewOptions: options)
        defer { s.tearDown() }
        let decoy = s.backing + "-decoy"
        try FileManager.default.createDirectory(
            atPath: decoy, withIntermediateDirectories: false,
            attributes: [.posixPermissions: 0o777])
        defer { try? FileManager.default.removeItem(atPath: decoy) }
        var (runs, swapsSeen, silent) = (0, 0, [String]())
        for _ in 1...40 {
            let racer = Racer(share: s.backing, decoy: decoy)
            let result = await Provisioner.run(s.request)
            racer.finish()
            runs += 1
            let reported = result.findings.contains { $0.rule == "swapped" }
            if reported { swapsSeen += 1 }
            if FileManager.default.fileExists(atPath: decoy + "/Local") && result.exitCode < 2 {
                silent.append(result.findings.map(\.message).joined(separator: "; "))
            }
            try? FileManager.default.removeItem(atPath: decoy + "/Local")
            try? FileManager.default.removeItem(atPath: s.scratchOnDisk)
        }
        #expect(silent.isEmpty, "Local made in the symlink's target without a finding: \(silent)")
        // A calm run afterwards removes what killed or raced runs left, and provisions right.
        let calm = await Provisioner.run(s.request)
        #expect(calm.exitCode == 0 && (try? s.onDisk()) != nil, "\(calm.findings.map(\.message))")
        let exportRoot = try TestServer.backingDirectory("squash")
        let left = try [s.backing, decoy, exportRoot]
            .flatMap { try FileManager.default.contentsOfDirectory(atPath: $0) }
            .filter { $0.hasPrefix(".nfskeeper-provision-provision_test-") }
        #expect(left.isEmpty, "temporary files left: \(left)")
        print("swap race: \(runs) runs, \(swapsSeen) swaps reported")
    }
}
