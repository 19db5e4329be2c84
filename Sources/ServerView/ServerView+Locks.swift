import SystemPackage
import CNFS
import Glibc

/// A write lock this session holds: the open file it was taken on (NFSv4 lock state lives on an open).
public struct HeldLock: Sendable, Hashable {
    public let path: String
    let id: Int
}

extension ServerView {
    /// Whether another lock owner holds a lock conflicting with a write lock on the whole of `path`:
    /// OPEN (read-only), LOCKT (WRITEW_LT, offset 0, to the end), CLOSE. Takes no lock. NFSv4 only:
    /// libnfs 4.0.0 has no NLM client, so an NFSv3 session answers ENOTSUP.
    public func conflictingLockHeld(_ path: String) throws(ServerViewError) -> Bool {
        try requireLocking(path)
        var fh: OpaquePointer?
        var (opened, delay) = (Int32(0), retries())
        repeat { opened = nfs_open(ctx, path, O_RDONLY, &fh) } while delay.again(opened)
        try check(opened, "OPEN", path)
        defer { nfs_close(ctx, fh) }
        return try deniedOrGranted(nfs_lockf(ctx, fh, NFS4_F_TEST, UInt64.max), "LOCKT", path)
    }

    /// Takes a write lock on the whole of `path` without waiting: OPEN (read-write), LOCK (WRITE_LT,
    /// offset 0, to the end). Returns the held lock, or nil when another owner holds one
    /// (NFS4ERR_DENIED). Release it with `release(_:)`; a lock left held expires with the session's lease.
    ///
    /// A denial spends the open owner's sequence number, which libnfs 4.0.0 does not count: every
    /// later OPEN of the session would fail with NFS4ERR_BAD_SEQID. After a nil, this session refuses
    /// further lock calls (EBADF): test with `conflictingLockHeld` first, and use a new session per attempt.
    public func tryWriteLock(_ path: String) throws(ServerViewError) -> HeldLock? {
        try requireLocking(path)
        var fh: OpaquePointer?
        var (opened, delay) = (Int32(0), retries())
        repeat { opened = nfs_open(ctx, path, O_RDWR, &fh) } while delay.again(opened)
        try check(opened, "OPEN", path)
        var request = wholeFile(F_WRLCK)
        let denied: Bool
        do { denied = try deniedOrGranted(nfs_fcntl(ctx, fh, NFS4_F_SETLK, &request), "LOCK", path) } catch {
            nfs_close(ctx, fh)
            throw error
        }
        if denied {
            nfs_close(ctx, fh)
            openOwnerSpent = true
            return nil
        }
        nextLockID += 1
        heldLocks[nextLockID] = fh
        return HeldLock(path: path, id: nextLockID)
    }

    /// Releases a lock from `tryWriteLock`: LOCKU, then CLOSE, whatever LOCKU answered.
    public func release(_ lock: HeldLock) throws(ServerViewError) {
        guard let fh = heldLocks.removeValue(forKey: lock.id) else { return }
        defer { nfs_close(ctx, fh) }
        var request = wholeFile(F_UNLCK)
        try check(nfs_fcntl(ctx, fh, NFS4_F_SETLK, &request), "LOCKU", lock.path)
    }

    /// A request of `type` over the whole file: offset 0, length all ones (NFSv4's "to the end").
    private func wholeFile(_ type: Int32) -> nfs4_flock {
        nfs4_flock(l_type: type, l_whence: SEEK_SET, l_pid: UInt32(getpid()), l_start: 0, l_len: UInt64.max)
    }

    private func requireLocking(_ path: String) throws(ServerViewError) {
        guard privateMount == nil else {
            throw ServerViewError(operation: "LOCK", server: url.serverAndExport, path: path, errno: .notSupported,
                                  detail: "a private kernel mount shares this node's NFSv4 client and lock owner, "
                                      + "so its locks would not conflict with this node's")
        }
        guard url.version == .v4 else {
            throw ServerViewError(operation: "LOCK", server: url.serverAndExport, path: path, errno: .notSupported,
                                  detail: "libnfs 4.0.0 locks only over NFSv4 (it has no NLM client)")
        }
        guard !openOwnerSpent else {
            throw ServerViewError(operation: "OPEN", server: url.serverAndExport, path: path, errno: .badFileDescriptor,
                                  detail: "this session's lock request was denied, after which libnfs 4.0.0 "
                                      + "cannot OPEN again (NFS4ERR_BAD_SEQID): open a new session")
        }
    }

    /// True for NFS4ERR_DENIED, false for success. libnfs 4.0.0 maps NFSv4 status codes with its NFSv3
    /// table, so DENIED arrives as an arbitrary errno: it is recognised by the message it sets.
    private func deniedOrGranted(_ rc: Int32, _ operation: String, _ path: String) throws(ServerViewError) -> Bool {
        if rc >= 0 { return false }
        if let message = nfs_get_error(ctx), String(cString: message).contains("NFS4ERR_DENIED") { return true }
        throw failure(rc, operation, path)
    }
}
