import CNFS
import Glibc
import SystemPackage

extension ServerView {
    /// Attributes of `path` as the server stores them. Sends LOOKUP for each component, then GETATTR.
    /// A symlink is reported as itself, never followed, unless `followSymlinks` is set.
    public func stat(_ path: String, followSymlinks: Bool = false) throws(ServerViewError) -> NFSAttributes {
        if let privateMount {
            guard !followSymlinks else { throw privateMount.failure("GETATTR", path, ELOOP) }
            return try privateMount.stat(path)
        }
        var st = nfs_stat_64()
        let rc = followSymlinks ? nfs_stat64(ctx, path, &st) : nfs_lstat64(ctx, path, &st)
        try check(rc, "GETATTR", path)
        return NFSAttributes(st)
    }

    /// Whether `path` exists on the server: GETATTR, with "no such file" answered as `false`.
    public func exists(_ path: String) throws(ServerViewError) -> Bool {
        do {
            _ = try stat(path)
            return true
        } catch  where error.errno == .noSuchFileOrDirectory {
            return false
        }
    }

    /// Creates a directory with `mode` (MKDIR), owned by this session's credentials.
    public func mkdir(_ path: String, mode: FilePermissions) throws(ServerViewError) {
        if let privateMount { return try privateMount.mkdir(path, mode: mode) }
        try check(nfs_mkdir2(ctx, path, Int32(mode.rawValue)), "MKDIR", path)
    }

    /// Makes `path` a directory with `mode` unless it already is one (another client may make it
    /// meanwhile): GETATTR, then MKDIR if missing. Anything else under the name (a file, a symlink)
    /// fails with ENOTDIR and is left alone.
    public func ensureDirectory(_ path: String, mode: FilePermissions) throws(ServerViewError) {
        let st: NFSAttributes
        do { st = try stat(path) } catch  where error.errno == .noSuchFileOrDirectory {
            do { try mkdir(path, mode: mode) } catch  where error.errno == .fileExists {}  // made meanwhile
            return
        }
        guard st.type == .directory else {
            throw ServerViewError(
                operation: "GETATTR", server: url.serverAndExport, path: path, errno: .notDirectory,
                detail: "a \(st.type.rawValue) on the server, not a directory: left alone")
        }
    }

    /// Each of `paths`, in order, made a directory unless it is one (`ensureDirectory`): the levels of
    /// a working directory such as `<share>/.nfskeeper/probe`. nil when done; else why not, for a finding.
    public func ensureDirectories(_ paths: [String], mode: FilePermissions) -> String? {
        for path in paths {
            do { try ensureDirectory(path, mode: mode) } catch {
                return "could not make \(path) a directory through the server view: \(error.description)"
            }
        }
        return nil
    }

    /// Creates a regular file that must not exist yet (CREATE EXCLUSIVE for NFSv3, OPEN with
    /// EXCLUSIVE4 for NFSv4), owned by this session's credentials, then closes it.
    ///
    /// Exclusive creation stores no attributes, and libnfs 4.0.0 drops the mode on NFSv4, so the
    /// mode is set afterwards (SETATTR) when the server did not record it.
    public func createExclusive(_ path: String, mode: FilePermissions) throws(ServerViewError) {
        if let privateMount { return try privateMount.createExclusive(path, mode: mode) { _ in } }
        var fh: OpaquePointer?
        try check(nfs_create(ctx, path, O_CREAT | O_EXCL | O_WRONLY, Int32(mode.rawValue), &fh), "CREATE", path)
        guard let fh else { throw failure(-EIO, "CREATE", path) }
        defer { nfs_close(ctx, fh) }
        // NFSv4 CREATE ignores the mode in libnfs 4.0.0: set it through the new handle, never the path.
        var st = nfs_stat_64()
        try check(nfs_fstat64(ctx, fh, &st), "GETATTR", path)
        if UInt32(st.nfs_mode) & 0o7777 != UInt32(mode.rawValue) {
            try check(nfs_fchmod(ctx, fh, Int32(mode.rawValue)), "SETATTR", path)
        }
    }

    /// Writes `bytes` at `offset` (OPEN/LOOKUP, WRITE with FILE_SYNC semantics via COMMIT on close).
    public func write(_ path: String, _ bytes: [UInt8], at offset: UInt64 = 0) throws(ServerViewError) {
        if let privateMount { _ = try privateMount.write(path, bytes, at: offset); return }
        try withOpenFile(path, flags: O_WRONLY) { (fh) throws(ServerViewError) in
            try writeAll(fh, bytes, at: offset, path: path)
        }
    }

    /// Appends `bytes` to the end of the file (GETATTR for the size, then WRITE); returns the new size.
    @discardableResult
    public func append(_ path: String, _ bytes: [UInt8]) throws(ServerViewError) -> UInt64 {
        if let privateMount { return try privateMount.write(path, bytes, at: nil) }
        return try withOpenFile(path, flags: O_WRONLY) { (fh) throws(ServerViewError) in
            var st = nfs_stat_64()
            try check(nfs_fstat64(ctx, fh, &st), "GETATTR", path)
            try writeAll(fh, bytes, at: st.nfs_size, path: path)
            return st.nfs_size + UInt64(bytes.count)
        }
    }

    /// Reads up to `count` bytes from `offset` (READ).
    public func read(_ path: String, count: Int, at offset: UInt64 = 0) throws(ServerViewError) -> [UInt8] {
        if let privateMount { return try privateMount.read(path, count: count, at: offset) }
        return try withOpenFile(path, flags: O_RDONLY) { (fh) throws(ServerViewError) in
            var buffer = [UInt8](repeating: 0, count: count)
            let n = buffer.withUnsafeMutableBytes { nfs_pread(ctx, fh, offset, UInt64(count), $0.baseAddress) }
            try check(Int32(clamping: n), "READ", path)
            return Array(buffer.prefix(Int(n)))
        }
    }

    /// Removes a file (REMOVE).
    public func unlink(_ path: String) throws(ServerViewError) {
        if let privateMount { return try privateMount.remove(path, directory: false) }
        var (rc, delay) = (Int32(0), retries())
        repeat { rc = nfs_unlink(ctx, path) } while delay.again(rc)
        try check(rc, "REMOVE", path)
    }

    /// Removes an empty directory (RMDIR).
    public func rmdir(_ path: String) throws(ServerViewError) {
        if let privateMount { return try privateMount.remove(path, directory: true) }
        try check(nfs_rmdir(ctx, path), "RMDIR", path)
    }

    /// Renames within the export (RENAME); replaces `to` if it exists, as rename(2) does.
    public func rename(_ from: String, to: String) throws(ServerViewError) {
        if let privateMount { return try privateMount.rename(from, to: to) }
        var (rc, delay) = (Int32(0), retries())
        repeat { rc = nfs_rename(ctx, from, to) } while delay.again(rc)
        try check(rc, "RENAME", from)
    }

    /// Lists a directory with each entry's attributes (READDIRPLUS for NFSv3, READDIR with
    /// attributes for NFSv4), without "." and "..".
    public func readdir(_ path: String) throws(ServerViewError) -> [NFSDirectoryEntry] {
        try listing(path).entries
    }

    /// A directory's entries (without "." and "..") and the fileid of the directory they were read
    /// from (its "." entry, when the server sends one: NFSv3 READDIRPLUS does): one READDIRPLUS, so
    /// the entries are that directory's even if the path is swapped meanwhile.
    public func listing(
        _ path: String
    ) throws(ServerViewError)
        -> (directoryFileid: UInt64?, entries: [NFSDirectoryEntry])
    {
        if let privateMount { return try privateMount.listing(path) }
        var dir: OpaquePointer?
        try check(nfs_opendir(ctx, path, &dir), "READDIRPLUS", path)
        defer { nfs_closedir(ctx, dir) }
        var entries: [NFSDirectoryEntry] = []
        var own: UInt64?
        while let entry = nfs_readdir(ctx, dir) {
            let name = String(cString: entry.pointee.name)
            if name == "." && entry.pointee.inode != 0 { own = entry.pointee.inode }
            if name == "." || name == ".." { continue }
            entries.append(NFSDirectoryEntry(name: name, attributes: NFSAttributes(entry.pointee)))
        }
        return (own, entries)
    }

    /// Changes owner and group (SETATTR). Never follows a symlink: a link's own owner changes.
    ///
    /// libnfs 4.0.0 cannot SETATTR an NFSv4 directory (the server answers NFS4ERR_ISDIR), and its
    /// NFSv4 `lchmod` follows symlinks (a racer could swap the name): on NFSv4 every attribute change
    /// goes through a one-shot NFSv3 session to the same export with the same credentials.
    /// A v4-only export fails with ENOTSUP: create the directory as its owner instead (connect
    /// with the owner's credentials, then `mkdir`).
    public func chown(_ path: String, uid: UInt32, gid: UInt32) throws(ServerViewError) {
        if let privateMount { return try privateMount.chown(path, uid: uid, gid: gid) }
        let (u, g) = (Int32(bitPattern: uid), Int32(bitPattern: gid))
        try setattrRoutingAroundV4(
            path, byPath: { (ctx) in nfs_lchown(ctx, path, u, g) },
            byHandle: { (ctx, fh) in nfs_fchown(ctx, fh, u, g) })
    }

    /// Changes permission bits (SETATTR). Never follows a symlink. Same NFSv4 directory route as `chown`.
    public func chmod(_ path: String, mode: FilePermissions) throws(ServerViewError) {
        if let privateMount { return try privateMount.chmod(path, mode: mode) }
        try setattrRoutingAroundV4(
            path, byPath: { (ctx) in nfs_lchmod(ctx, path, Int32(mode.rawValue)) },
            byHandle: { (ctx, fh) in nfs_fchmod(ctx, fh, Int32(mode.rawValue)) })
    }

    /// NFSv3: by path (libnfs's `l` calls do not follow a final symlink). NFSv4: by path over a one-shot
    /// NFSv3 session; where the export has no NFSv3, a regular file is changed through a handle
    /// opened on it, after checking that the handle is the file GETATTR saw (same fileid: no swap).
    private func setattrRoutingAroundV4(
        _ path: String, byPath call: (OpaquePointer) -> Int32,
        byHandle: (OpaquePointer, OpaquePointer) -> Int32
    ) throws(ServerViewError) {
        guard url.version == .v4 else { return try check(call(ctx), "SETATTR", path) }  // NFSv3: no delegations
        let v3: OpaquePointer
        do { v3 = try oneShotSession(url.with(version: .v3), for: path) } catch {
            let seen = try stat(path)
            guard seen.type == .regular else { throw error }
            return try withOpenFile(path, flags: O_RDONLY) { (fh) throws(ServerViewError) in
                var st = nfs_stat_64()
                try check(nfs_fstat64(ctx, fh, &st), "GETATTR", path)
                guard st.nfs_ino == seen.fileid else {
                    throw ServerViewError(
                        operation: "SETATTR", server: url.serverAndExport, path: path,
                        errno: .tooManySymbolicLinkLevels,
                        detail: "the name was swapped between GETATTR and OPEN: nothing changed")
                }
                var (rc, delay) = (Int32(0), retries())
                repeat { rc = byHandle(ctx, fh) } while delay.again(rc)
                try check(rc, "SETATTR", path)
            }
        }
        defer { nfs_destroy_context(v3) }
        let rc = call(v3)
        if rc < 0 {
            let detail = String(cString: nfs_get_error(v3))
            throw ServerViewError(
                operation: "SETATTR", server: url.serverAndExport, path: path,
                errno: Errno(rawValue: -rc), detail: "via NFSv3: " + detail)
        }
    }

    /// A second, synchronous libnfs context on this actor's thread, for one call and then destroyed.
    func oneShotSession(_ other: ServerURL, for path: String) throws(ServerViewError) -> OpaquePointer {
        let unsupported = { (detail: String) in
            ServerViewError(
                operation: "SETATTR", server: self.url.serverAndExport, path: path, errno: .notSupported,
                detail: "libnfs 4.0.0 cannot change NFSv4 attributes safely (directories fail, "
                    + "symlinks are followed) and " + detail)
        }
        guard let v3 = nfs_init_context() else { throw unsupported("no NFSv3 context could be made") }
        guard let parsed = nfs_parse_url_dir(v3, other.libnfsURL) else {
            nfs_destroy_context(v3)
            throw unsupported("the NFSv3 URL was refused")
        }
        defer { nfs_destroy_url(parsed) }
        nfs_set_timeout(v3, Int32(clamping: timeout.milliseconds))
        nfs_set_autoreconnect(v3, 0)
        nfs_set_uid(v3, Int32(bitPattern: credentials.uid))
        nfs_set_gid(v3, Int32(bitPattern: credentials.gid))
        if nfs_mount(v3, parsed.pointee.server, parsed.pointee.path) < 0 {
            let why = String(cString: nfs_get_error(v3))
            nfs_destroy_context(v3)
            throw unsupported("the export does not answer NFSv3 (\(why)); create it as its owner instead")
        }
        return v3
    }

    /// Space and inode counts of the exported filesystem (FSSTAT / NFSv4 space attributes).
    public func statvfs(_ path: String = "/") throws(ServerViewError) -> NFSFileSystemStats {
        if let privateMount { return try privateMount.statvfs(path) }
        var sv = nfs_statvfs_64()
        try check(nfs_statvfs64(ctx, path, &sv), "FSSTAT", path)
        return NFSFileSystemStats(
            blockSize: sv.f_frsize, totalBytes: sv.f_blocks * sv.f_frsize, freeBytes: sv.f_bfree * sv.f_frsize,
            availableBytes: sv.f_bavail * sv.f_frsize, totalFiles: sv.f_files, freeFiles: sv.f_ffree,
            maxNameLength: sv.f_namemax)
    }

    /// One GETATTR of `path`, timed on this node's monotonic clock: the server round trip.
    public func timedGetattr(_ path: String = "/") throws(ServerViewError) -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        if let privateMount {
            _ = try privateMount.stat(path)
            return clock.now - start
        }
        var st = nfs_stat_64()
        try check(nfs_lstat64(ctx, path, &st), "GETATTR", path)
        return clock.now - start
    }

    private func withOpenFile<T>(
        _ path: String, flags: Int32,
        _ body: (OpaquePointer) throws(ServerViewError) -> T
    ) throws(ServerViewError) -> T {
        var fh: OpaquePointer?
        var (opened, delay) = (Int32(0), retries())
        repeat { opened = nfs_open(ctx, path, flags, &fh) } while delay.again(opened)
        try check(opened, "OPEN", path)
        defer { nfs_close(ctx, fh) }
        return try body(fh!)
    }

    private func writeAll(
        _ fh: OpaquePointer, _ bytes: [UInt8], at offset: UInt64, path: String
    ) throws(ServerViewError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                nfs_pwrite(
                    ctx, fh, offset + UInt64(done), UInt64(bytes.count - done),
                    UnsafeMutableRawPointer(mutating: raw.baseAddress! + done))
            }
            // Only to tell ENOSPC from EFAULT; without it the EFAULT stands.
            if n == -Int(EFAULT), url.version == .v3, let fs = try? statvfs(path), fs.availableBytes == 0 {
                // libnfs 4.0.0 reports NFS3ERR_NOSPC on WRITE as EFAULT with no message.
                throw ServerViewError(
                    operation: "WRITE", server: url.serverAndExport, path: path, errno: .noSpace,
                    detail: "libnfs said EFAULT; FSSTAT shows no space available on the export")
            }
            try check(Int32(clamping: n), "WRITE", path)
            if n == 0 { throw failure(-EIO, "WRITE", path) }
            done += Int(n)
        }
    }
}

extension NFSAttributes {
    init(_ st: nfs_stat_64) {
        self.init(
            type: NFSFileType(mode: st.nfs_mode), mode: UInt32(st.nfs_mode & 0o7777),
            uid: UInt32(truncatingIfNeeded: st.nfs_uid), gid: UInt32(truncatingIfNeeded: st.nfs_gid),
            size: st.nfs_size, links: st.nfs_nlink, fileid: st.nfs_ino,
            mtime: NFSTime(seconds: Int64(st.nfs_mtime), nanoseconds: UInt32(st.nfs_mtime_nsec)),
            ctime: NFSTime(seconds: Int64(st.nfs_ctime), nanoseconds: UInt32(st.nfs_ctime_nsec)))
    }

    init(_ e: nfsdirent) {
        // nfsdirent.mode carries the type bits on NFSv3 (READDIRPLUS) but not always on NFSv4:
        // fall back to the separate type field.
        let typeFromMode = NFSFileType(mode: UInt64(e.mode))
        let type: NFSFileType = typeFromMode != .unknown ? typeFromMode : NFSFileType(nf3type: e.type)
        self.init(
            type: type, mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, size: e.size, links: UInt64(e.nlink),
            fileid: e.inode,
            mtime: NFSTime(seconds: Int64(e.mtime.tv_sec), nanoseconds: e.mtime_nsec),
            ctime: NFSTime(seconds: Int64(e.ctime.tv_sec), nanoseconds: e.ctime_nsec))
    }
}

extension NFSFileType {
    init(nf3type: UInt32) {
        switch nf3type {
        case 1: self = .regular
        case 2: self = .directory
        case 3: self = .blockDevice
        case 4: self = .characterDevice
        case 5: self = .symlink
        case 6: self = .socket
        case 7: self = .fifo
        default: self = .unknown
        }
    }
}

extension ServerView {
    /// The numeric owner and group of `path`, read over NFSv3 whatever `url`'s version: NFSv3 carries
    /// owners as numbers, NFSv4 as names that libnfs 4.0.0 does not map. One session, one GETATTR.
    public static func numericOwner(
        _ url: ServerURL, path: String, timeout: Duration
    )
        async throws(ServerViewError) -> (uid: UInt32, gid: UInt32)
    {
        let view = try await connect(url.with(version: .v3), timeout: timeout)
        let attributes = try await view.stat(path)
        return (attributes.uid, attributes.gid)
    }
}

extension ServerView {
    /// Whether the export answers NFSv3 (MOUNT MNT, then NFS through a libnfs session): false for an
    /// NFSv4-only server's answer; true when nothing answered in time either, so a slow server is
    /// reported by the session that follows, not taken for an NFSv4-only one.
    public static func answersNFSv3(_ url: ServerURL, timeout: Duration) async -> Bool {
        do {
            _ = try await connect(url.with(version: .v3), timeout: timeout)
            return true
        } catch {
            return !error.isServerAnswer && !error.isUnreachable
        }
    }
}
