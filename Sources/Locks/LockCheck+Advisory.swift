import Check
import KernelView
import Mounts
import NFSModel
import Reports
import ServerView
import SystemPackage

extension LockCheck {
    /// This node takes an `fcntl` write lock and another node (the server view) asks the server
    /// whether the file is locked (LOCKT); then the other node holds a lock and this node's `F_SETLK`
    /// must be refused. A lock both sides get is critical.
    static func measureAdvisory(_ r: LockRequest, _ place: LockPlace, into report: inout LockReport) async {
        let name = TemporaryName.make(purpose: purpose, node: r.node)
        let file: LockFile
        switch place.node.createFile(name, mode: 0o666) {  // 0666: the other node's session may be another uid
        case .success(let made): file = made
        case .timedOut: return report.add(.crit, "hung", "creating \(name) did not return within \(r.timeout)")
        case .failure(let e): return report.add(.crit, "lock-directory", "cannot create \(name) here: \(e)")
        }
        defer { removeNodeFile(place, name, into: &report) }
        let result = await playBothSides(r, place, file, name)
        report.advisory = result
        judge(result, place, into: &report)
    }

    /// The two directions, each on a fresh NFSv4 session (see `ServerView.tryWriteLock`).
    static func playBothSides(_ r: LockRequest, _ place: LockPlace, _ file: LockFile,
                              _ name: String) async -> AdvisoryLockResult {
        let path = place.serverPath(name)
        switch file.tryWriteLock() {
        case .timedOut:
            return AdvisoryLockResult(verdict: .unavailable, detail: "F_SETLK did not return within \(r.timeout)")
        case .failure(let e):
            return AdvisoryLockResult(verdict: .unavailable, detail: "F_SETLK failed on this node: \(e)")
        case .success(.conflict):
            return AdvisoryLockResult(verdict: .notMeasured, detail: "a new file was already locked by someone")
        case .success(.granted): break
        }
        let other: ServerView
        do { other = try await lockSession(r, place) } catch {
            _ = file.unlock()
            return AdvisoryLockResult(verdict: .notMeasured, detail: error.description)
        }
        let sawNode: Bool
        do { sawNode = try await other.conflictingLockHeld(path) } catch {
            _ = file.unlock()
            return AdvisoryLockResult(verdict: .notMeasured, detail: "another node's LOCKT failed: \(error)")
        }
        _ = file.unlock()  // a failure shows below: the other node's lock is then refused
        switch await nodeRefusedWhileOtherHolds(r, place, file, path) {
        case .failure(let why):
            return AdvisoryLockResult(verdict: .notMeasured, serverSawNodeLock: sawNode, detail: why.description)
        case .success(let attempt):
            let refused = attempt != .granted
            var detail = describe(sawNode, refused)
            if case .refused(let errno?) = attempt {
                detail += "; this node's F_SETLK answered \(errno), not EAGAIN, while another node held the lock"
            }
            return AdvisoryLockResult(verdict: sawNode && refused ? .coherent : .local, serverSawNodeLock: sawNode,
                                      nodeSawServerLock: refused, detail: detail)
        }
    }

    /// This node's F_SETLK while another node holds the lock: refused with an errno other than EAGAIN
    /// is still no lock (ganesha answers an NFSv4.1+ client EIO when an NFSv4.0 owner holds it).
    enum NodeAttempt: Equatable {
        case granted
        case refused(Errno?)
    }

    /// Another node holds a write lock; this node tries F_SETLK on a second open of the file.
    /// Every lock released on return.
    static func nodeRefusedWhileOtherHolds(_ r: LockRequest, _ place: LockPlace, _ file: LockFile,
                                           _ path: String) async -> Result<NodeAttempt, TextFailure> {
        do {
            let other = try await lockSession(r, place)
            guard let held = try await other.tryWriteLock(path) else {
                return .failure(TextFailure("the server still reports a lock after this node released its own"))
            }
            let attempt = place.node.openFile(file.name).then { $0.tryWriteLock() }
            try? await other.release(held)  // ignored: a lock not released ends with the session's lease
            switch attempt {
            case .success(.conflict): return .success(.refused(nil))
            case .success(.granted): _ = file.unlock(); return .success(.granted)
            case .failure(let e): return .success(.refused(e))
            case .timedOut: return .failure(TextFailure("F_SETLK did not return within \(r.timeout)"))
            }
        } catch {
            return .failure(TextFailure("another node's lock failed: \(error)"))
        }
    }

    /// A new NFSv4 session to the share's export, as the other node (libnfs locks only over NFSv4).
    static func lockSession(_ r: LockRequest, _ place: LockPlace) async throws(ServerViewError) -> ServerView {
        let url = place.location.url.version == .v4 ? place.location.url : place.location.url.with(version: .v4)
        return try await ServerView.connect(url, as: r.credentials, timeout: r.timeout)
    }

    static func describe(_ sawNode: Bool, _ refused: Bool) -> String {
        switch (sawNode, refused) {
        case (true, true): "each side's lock was refused to the other: the server arbitrates this node's locks"
        case (false, false): "both sides got the same lock in both directions"
        case (false, true): "another node got a lock this node held"
        case (true, false): "this node got a lock another node held"
        }
    }

    static func judge(_ result: AdvisoryLockResult, _ place: LockPlace, into report: inout LockReport) {
        switch result.verdict {
        case .coherent: return
        case .local:
            report.add(.crit, "locks-local", "fcntl locks are not shared with other nodes: \(result.detail). "
                       + localCause(place), fix: localFix(place))
        case .unavailable:
            report.add(.crit, "locks-unavailable", "this node cannot take an fcntl lock on the share ("
                       + result.detail + "): Workbench's advisory locks and R's filelock fail with it",
                       fix: "for NFSv3: systemctl enable --now rpc-statd here, and check that the server runs a "
                           + "lock manager (rpcinfo -p SERVER | grep nlockmgr); or mount with vers=4.2")
        case .notMeasured:
            report.add(.info, "locks-not-measured", "advisory locks were not measured: " + result.detail)
        }
    }

    static func localCause(_ place: LockPlace) -> String {
        guard let o = place.options else {
            return "\(place.location.mount.fsType) is not NFS: its locks exist only on this node."
        }
        if !o.lock { return "The mount option nolock keeps locks on this node." }
        if ["all", "posix"].contains(o.localLock) { return "local_lock=\(o.localLock) keeps POSIX locks on this node." }
        return "The server did not arbitrate them (an NFSv3 server without a lock manager, or one that ignores locks)."
    }

    static func localFix(_ place: LockPlace) -> String {
        let mount = place.location.mount.mountPoint
        guard let o = place.options else { return "use the NFS mount itself, not \(place.location.mount.fsType)" }
        if !o.lock || o.localLock != "none" {
            return "remount \(mount) without nolock/local_lock (umount, then mount; NFSv3 also needs rpc-statd here)"
                + ", or with vers=4.2, whose locks are part of the protocol"
        }
        return "check the server's lock manager: rpcinfo -p SERVER | grep nlockmgr; or mount with vers=4.2"
    }

    /// Unlinks a file this run made in the locks directory, through this node.
    static func removeNodeFile(_ place: LockPlace, _ name: String, into report: inout LockReport) {
        switch place.node.removeFile(name) {
        case .success: return
        case .failure(let e) where e == .noSuchFileOrDirectory: return
        case .failure(let e):
            report.add(.warn, "cleanup", "could not remove \(name): \(e); the next run on this node removes it")
        case .timedOut:
            report.add(.warn, "cleanup", "removing \(name) did not return; the next run on this node removes it")
        }
    }
}

/// A failure described for a report.
struct TextFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
