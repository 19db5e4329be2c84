import Foundation
import Glibc
import Testing
@testable import KernelView

/// The write trial as a service account, on a local directory (the credentials it takes are the same on an
/// NFS mount; the guest suite runs it through the real kernel client). Needs root, as the agent runs.
@Suite(.enabled(if: getuid() == 0)) struct WriteTrialTests {
    let pm = Credentials(uid: 64997, gid: 64997, groups: [64997])
    let kernel = KernelView(timeout: .seconds(5))

    func directory(mode: mode_t, gid: gid_t = 0) throws -> String {
        let dir = FileManager.default.temporaryDirectory.path + "/nfskeeper-write-\(UUID().uuidString)"
        #expect(mkdir(dir, 0o700) == 0 && chown(dir, 0, gid) == 0 && chmod(dir, mode) == 0)
        return dir
    }

    func trial(_ dir: String, as account: Credentials? = nil) -> KernelView.Outcome<WriteTrialFailure?> {
        kernel.writeTrial(in: dir, as: account ?? pm, purpose: "write", node: "node1")
    }

    @Test func theAccountsOwnPermissionsDecideAndNothingIsLeft() throws {
        let dir = try directory(mode: 0o755)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let refused = trial(dir).value ?? nil
        #expect(refused?.step == .createDirectory && refused?.errno == .permissionDenied,
                "\(String(describing: refused))")
        #expect(chmod(dir, 0o1777) == 0)
        #expect(trial(dir).value.map { $0 == nil } == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        // The process keeps its own credentials: only the trial's thread took the account's.
        #expect(geteuid() == 0 && getegid() == 0 && access(dir, W_OK) == 0)
    }

    @Test func supplementaryGroupsCount() throws {
        let dir = try directory(mode: 0o770, gid: 64500)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect((trial(dir).value ?? nil)?.errno == .permissionDenied)
        let member = Credentials(uid: pm.uid, gid: pm.gid, groups: [pm.gid, 64500])
        #expect(trial(dir, as: member).value.map { $0 == nil } == true)
    }

    @Test func aKilledRunsLeftoverGoesAndNoSymlinkIsFollowed() throws {
        let dir = try directory(mode: 0o1777)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dead = "\(dir)/.nfskeeper-write-node1-999999-1f"
        #expect(mkdir(dead, 0o700) == 0 && chown(dead, pm.uid, pm.gid) == 0)
        #expect(FileManager.default.createFile(atPath: dead + "/data", contents: Data("x".utf8)))
        #expect(chown(dead + "/data", pm.uid, pm.gid) == 0)
        // The account's file elsewhere, and a symlink dressed as a leftover that points at it.
        let other = try directory(mode: 0o1777)
        defer { try? FileManager.default.removeItem(atPath: other) }
        #expect(FileManager.default.createFile(atPath: other + "/data", contents: Data("keep".utf8)))
        #expect(chown(other + "/data", pm.uid, pm.gid) == 0)  // removable by the account: only O_NOFOLLOW keeps it
        #expect(symlink(other, "\(dir)/.nfskeeper-write-node1-999998-2f") == 0)
        #expect(trial(dir).value.map { $0 == nil } == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [".nfskeeper-write-node1-999998-2f"])
        #expect(FileManager.default.contents(atPath: other + "/data") == Data("keep".utf8))
    }
}
