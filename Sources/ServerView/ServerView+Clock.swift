import SystemPackage
import CNFS
import Glibc

/// The server's clock compared with this node's.
public struct ServerClockReading: Sendable, Codable, Hashable {
    /// The time the server stamped on the file.
    public var serverTime: NFSTime
    /// Server clock minus this node's clock, in seconds (positive: the server is ahead).
    public var offsetSeconds: Double
    /// Half the round trip of the exchange: the offset is known to within this many seconds,
    /// plus the server's timestamp granularity.
    public var uncertaintySeconds: Double
}

/// What a file this session has just created shows: the owner the server gave it (root squash) and
/// the time the server stamped on it (its clock).
public struct NewFileReading: Sendable {
    /// The owner as the server records it; nil when it cannot be told (NFSv4 owner strings that
    /// libnfs 4.0.0 maps to 65534 and no NFSv3 to ask instead).
    public var owner: UInt32?
    /// How the owner was read, for the report.
    public var ownerEvidence: String
    public var clock: ServerClockReading?
}

extension ServerView {
    /// Creates `path` exclusively (mode 0600), and through the file handle CREATE returned (never the
    /// path again, which another client could swap for a symlink) writes one byte, whose mtime the
    /// server sets from its own clock, and reads it back with GETATTR. The owner is read over NFSv3
    /// where the export answers it: libnfs 4.0.0 reports root-owned NFSv4 files as 65534. The file
    /// is removed on every path; a killed run's files are `TemporaryName` leftovers.
    ///
    /// Cache expiry runs on each client's own clock, so skew does not delay visibility; it does
    /// break every timestamp comparison between nodes.
    public func readNewFile(_ path: String) throws(ServerViewError) -> NewFileReading {
        if let privateMount { return try readNewFile(path, through: privateMount) }
        var fh: OpaquePointer?
        let created = nfs_create(ctx, path, O_CREAT | O_EXCL | O_WRONLY, 0o600, &fh)
        // Removed on every path, also after a CREATE that timed out: the server may have done it all the same
        // (its reply lost), and the name is this call's alone. A CREATE the server refused made nothing.
        let createError = created < 0 ? failure(created, "CREATE", path) : nil
        defer {
            if let fh { nfs_close(ctx, fh) }
            if createError?.isTimeout ?? true { nfs_unlink(ctx, path) }
        }
        if let createError { throw createError }
        guard let fh else { throw failure(-EIO, "CREATE", path) }
        let before = realtimeNow()
        var byte: UInt8 = 0x2e
        try check(Int32(clamping: nfs_pwrite(ctx, fh, 0, 1, &byte)), "WRITE", path)
        var st = nfs_stat_64()
        try check(nfs_fstat64(ctx, fh, &st), "GETATTR", path)
        let after = realtimeNow()
        let server = NFSTime(seconds: Int64(st.nfs_mtime), nanoseconds: UInt32(st.nfs_mtime_nsec))
        let offset = server.timeIntervalSince1970 - (before + after) / 2
        let clock = ServerClockReading(serverTime: server, offsetSeconds: offset,
                                       uncertaintySeconds: (after - before) / 2)
        let (owner, evidence) = ownerOfNewFile(path, reportedByThisSession: UInt32(truncatingIfNeeded: st.nfs_uid))
        return NewFileReading(owner: owner, ownerEvidence: evidence, clock: clock)
    }

    /// The new file's owner: as this session read it on NFSv3; on NFSv4 from a one-shot NFSv3 GETATTR
    /// (LOOKUP of a name no one else knows yet), else only when it is not libnfs's 65534.
    private func ownerOfNewFile(_ path: String, reportedByThisSession uid: UInt32) -> (UInt32?, String) {
        let what = "a file created as uid \(credentials.uid)"
        if url.version == .v3 { return (uid, "\(what) is owned by uid \(uid)") }
        // No NFSv3: the NFSv4 reading below, judged with libnfs's caveat.
        if let v3 = try? oneShotSession(url.with(version: .v3), for: path) {
            defer { nfs_destroy_context(v3) }
            var st = nfs_stat_64()
            if nfs_lstat64(v3, path, &st) == 0 {
                let owner = UInt32(truncatingIfNeeded: st.nfs_uid)
                return (owner, "\(what) is owned by uid \(owner) (read over NFSv3: libnfs's NFSv4 owners are "
                        + "unreliable)")
            }
        }
        if uid == 65534 {
            return (nil, "\(what) shows uid 65534 over NFSv4, which libnfs 4.0.0 also reports for root-owned files, "
                    + "and the export does not answer NFSv3: not judged")
        }
        return (uid, "\(what) is owned by uid \(uid) (NFSv4)")
    }

    /// The same through a private kernel mount: OPEN exclusive, WRITE (synchronous under `noac`), GETATTR
    /// through the open descriptor, REMOVE. The owner is the kernel's reading: numeric ids over NFSv3 and
    /// NFSv4 `sec=sys` (the kernel sends and takes numbers there), this node's idmapper's mapping otherwise.
    private func readNewFile(_ path: String, through mount: PrivateMount) throws(ServerViewError) -> NewFileReading {
        defer { try? mount.remove(path, directory: false) }
        let (st, before, after) = try mount.createExclusive(path, mode: [.ownerReadWrite]) {
            (fd) throws(ServerViewError) in
            let before = realtimeNow()
            try mount.writeAll(fd, [0x2e], at: 0, path)
            var st = Glibc.stat()
            guard fstat(fd, &st) == 0 else { throw mount.failure("GETATTR", path) }
            return (st, before, realtimeNow())
        }
        let server = NFSTime(seconds: Int64(st.st_mtim.tv_sec), nanoseconds: UInt32(st.st_mtim.tv_nsec))
        let clock = ServerClockReading(
            serverTime: server, offsetSeconds: server.timeIntervalSince1970 - (before + after) / 2,
            uncertaintySeconds: (after - before) / 2)
        let evidence = "a file created as uid \(credentials.uid) through a private kernel mount is owned by "
            + "uid \(st.st_uid)"
        return NewFileReading(owner: st.st_uid, ownerEvidence: evidence, clock: clock)
    }
}

func realtimeNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
