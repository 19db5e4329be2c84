import CGlibcCompat
import Glibc
import SystemPackage

/// The server view's second way to the server: a private kernel mount of the export (`PrivateMountRequest`),
/// used where libnfs 4.0.0 cannot be the other node (NFSv4-only exports that judge owners or change
/// attributes, `sec=krb5*`). Every call resolves its path beneath the mount's root with openat2(2): no
/// symlink followed, no mount crossed, nothing outside the export reachable. The kernel sends the NFS
/// operations named in the errors (LOOKUP for each component, then GETATTR, MKDIR, OPEN, …); `noac` and
/// `lookupcache=none` make each one a round trip to the server.
///
/// Lives on its `ServerView`'s thread, which has a file-system context of its own (unshare CLONE_FS:
/// umask 0, so modes go to the server as given) and, after the mount, the view's credentials as its
/// fsuid, fsgid and groups: the kernel presents them to the server as it does any process's.
final class PrivateMount: @unchecked Sendable {
    let request: PrivateMountRequest
    private let root: Int32
    private let server: String

    private init(request: PrivateMountRequest, root: Int32, server: String) {
        (self.request, self.root, self.server) = (request, root, server)
    }

    deinit { Glibc.close(root) }

    /// Mounts on the calling thread (which must be the view's) and then takes on `credentials` there.
    static func make(
        _ request: PrivateMountRequest, server: String, as credentials: NFSCredentials
    ) throws(ServerViewError) -> PrivateMount {
        func refused(_ step: String, _ code: Int32, _ detail: String) -> ServerViewError {
            ServerViewError(operation: "MOUNT", server: server, path: nil, errno: Errno(rawValue: code),
                            detail: "private kernel mount, \(step): \(detail)")
        }
        guard nfsk_thread_unshare_fs() == 0 else { throw refused("unshare(CLONE_FS)", errno, "") }
        umask(0)
        let fs = nfsk_fsopen(request.fsType)
        guard fs >= 0 else {
            let code = errno
            throw refused("fsopen(\(request.fsType))", code, code == ENODEV ? "this kernel has no NFS client"
                        : code == EPERM ? "needs root (CAP_SYS_ADMIN)" : "")
        }
        defer { Glibc.close(fs) }
        for p in [PrivateMountRequest.Parameter("source", request.source)] + request.parameters
        where nfsk_fsconfig_set(fs, p.name, p.value) != 0 {
            let code = errno
            throw refused("option \(p.name)\(p.value.map { "=" + $0 } ?? "")", code, kernelLog(fs))
        }
        guard nfsk_fsconfig_create(fs) == 0 else { let code = errno; throw refused("create", code, kernelLog(fs)) }
        let root = nfsk_fsmount(fs)
        guard root >= 0 else { let code = errno; throw refused("fsmount", code, kernelLog(fs)) }
        let mount = PrivateMount(request: request, root: root, server: server)
        if credentials != .root {
            var groups = [credentials.gid]
            guard nfsk_thread_setgroups(1, &groups) == 0 else { throw refused("setgroups", errno, "") }
            _ = nfsk_thread_setfsgid(credentials.gid)
            _ = nfsk_thread_setfsuid(credentials.uid)
            guard nfsk_thread_setfsuid(UInt32.max) == Int32(bitPattern: credentials.uid) else {
                throw refused("setfsuid", EPERM, "could not act as \(credentials)")
            }
        }
        return mount
    }

    /// What the kernel wrote to the fs context's log ("e NFS: …" lines), for the error's detail.
    private static func kernelLog(_ fs: Int32) -> String {
        var lines: [String] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while lines.count < 8 {
            let n = Glibc.read(fs, &buffer, buffer.count)
            if n <= 0 { break }
            lines.append(String(decoding: buffer.prefix(n), as: UTF8.self))
        }
        return lines.joined(separator: "; ")
    }

    // MARK: paths

    /// `path` inside the export ("/a/b") as a name beneath the root ("a/b"; "." for the root itself).
    private func relative(_ path: String) -> String {
        let trimmed = path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        return trimmed.isEmpty ? "." : trimmed
    }

    func failure(_ operation: String, _ path: String?, _ code: Int32 = errno) -> ServerViewError {
        ServerViewError(operation: operation, server: server, path: path, errno: Errno(rawValue: code),
                        detail: code == ELOOP ? "a symlink on the way: not followed" : "")
    }

    /// Opens `path` beneath the root with `flags` (O_CLOEXEC added), runs `body`, closes.
    private func withOpened<T>(
        _ path: String, _ flags: Int32, mode: UInt32 = 0, _ operation: String,
        _ body: (Int32) throws(ServerViewError) -> T
    ) throws(ServerViewError) -> T {
        let fd = nfsk_openat_beneath(root, relative(path), flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure(operation, path) }
        defer { Glibc.close(fd) }
        return try body(fd)
    }

    /// The directory holding `path`, opened (nfsk_O_PATH), and the last component's name.
    private func withParent<T>(
        _ path: String, _ operation: String, _ body: (Int32, String) throws(ServerViewError) -> T
    ) throws(ServerViewError) -> T {
        var parts = relative(path).split(separator: "/").map(String.init)
        guard let name = parts.popLast(), name != ".", name != ".." else {
            throw ServerViewError(operation: operation, server: server, path: path, errno: .invalidArgument,
                                  detail: "names the export's root or a parent: refused")
        }
        return try withOpened(parts.isEmpty ? "." : parts.joined(separator: "/"), nfsk_O_PATH | O_DIRECTORY,
                              "LOOKUP") { (dir) throws(ServerViewError) in try body(dir, name) }
    }

    // MARK: operations (ServerView's, by the same names)

    func stat(_ path: String) throws(ServerViewError) -> NFSAttributes {
        var st = Glibc.stat()
        if relative(path) == "." {
            guard fstatat(root, "", &st, nfsk_AT_EMPTY_PATH) == 0 else { throw failure("GETATTR", path) }
            return NFSAttributes(st)
        }
        return try withParent(path, "GETATTR") { (dir, name) throws(ServerViewError) in
            guard fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { throw failure("GETATTR", path) }
            return NFSAttributes(st)
        }
    }

    func mkdir(_ path: String, mode: FilePermissions) throws(ServerViewError) {
        try withParent(path, "MKDIR") { (dir, name) throws(ServerViewError) in
            guard mkdirat(dir, name, mode.rawValue) == 0 else { throw failure("MKDIR", path) }
        }
    }

    /// OPEN with O_CREAT|O_EXCL (the kernel's NFSv4 EXCLUSIVE4_1 or NFSv3 CREATE EXCLUSIVE, mode kept), then
    /// `body` on the new file's descriptor.
    func createExclusive<T>(
        _ path: String, mode: FilePermissions, _ body: (Int32) throws(ServerViewError) -> T
    ) throws(ServerViewError) -> T {
        try withParent(path, "CREATE") { (dir, name) throws(ServerViewError) in
            let fd = openat(dir, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode.rawValue)
            guard fd >= 0 else { throw failure("CREATE", path) }
            defer { Glibc.close(fd) }
            return try body(fd)
        }
    }

    func write(_ path: String, _ bytes: [UInt8], at offset: UInt64?) throws(ServerViewError) -> UInt64 {
        try withOpened(path, O_WRONLY | O_NOFOLLOW, "OPEN") { (fd) throws(ServerViewError) in
            var st = Glibc.stat()
            guard fstat(fd, &st) == 0 else { throw failure("GETATTR", path) }
            let start = offset ?? UInt64(st.st_size)
            try writeAll(fd, bytes, at: start, path)
            return start + UInt64(bytes.count)
        }
    }

    func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: UInt64, _ path: String) throws(ServerViewError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done,
                                                   off_t(offset) + off_t(done)) }
            guard n > 0 else { throw failure("WRITE", path, n == 0 ? EIO : errno) }
            done += n
        }
    }

    func read(_ path: String, count: Int, at offset: UInt64) throws(ServerViewError) -> [UInt8] {
        try withOpened(path, O_RDONLY | O_NOFOLLOW, "OPEN") { (fd) throws(ServerViewError) in
            var buffer = [UInt8](repeating: 0, count: count)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            guard n >= 0 else { throw failure("READ", path) }
            return Array(buffer.prefix(n))
        }
    }

    func remove(_ path: String, directory: Bool) throws(ServerViewError) {
        let operation = directory ? "RMDIR" : "REMOVE"
        try withParent(path, operation) { (dir, name) throws(ServerViewError) in
            guard unlinkat(dir, name, directory ? AT_REMOVEDIR : 0) == 0 else { throw failure(operation, path) }
        }
    }

    func rename(_ from: String, to: String) throws(ServerViewError) {
        try withParent(from, "RENAME") { (fromDir, fromName) throws(ServerViewError) in
            try withParent(to, "RENAME") { (toDir, toName) throws(ServerViewError) in
                guard renameat(fromDir, fromName, toDir, toName) == 0 else { throw failure("RENAME", from) }
            }
        }
    }

    /// READDIR, then GETATTR of each entry (never through a symlink), and the directory's own fileid.
    func listing(
        _ path: String
    ) throws(ServerViewError) -> (directoryFileid: UInt64?, entries: [NFSDirectoryEntry]) {
        let fd = nfsk_openat_beneath(root, relative(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard fd >= 0 else { throw failure("READDIR", path) }
        guard let stream = fdopendir(fd) else {
            let code = errno
            Glibc.close(fd)
            throw failure("READDIR", path, code)
        }
        defer { closedir(stream) }
        var own = Glibc.stat()
        guard fstat(fd, &own) == 0 else { throw failure("GETATTR", path) }
        var entries: [NFSDirectoryEntry] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var st = Glibc.stat()
            guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }  // gone meanwhile
            entries.append(NFSDirectoryEntry(name: name, attributes: NFSAttributes(st)))
        }
        return (UInt64(own.st_ino), entries)
    }

    /// SETATTR of owner and group; a symlink's own (AT_SYMLINK_NOFOLLOW).
    func chown(_ path: String, uid: UInt32, gid: UInt32) throws(ServerViewError) {
        try withParent(path, "SETATTR") { (dir, name) throws(ServerViewError) in
            guard fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) == 0 else { throw failure("SETATTR", path) }
        }
    }

    /// SETATTR of the mode; a symlink is refused (EOPNOTSUPP), never followed.
    func chmod(_ path: String, mode: FilePermissions) throws(ServerViewError) {
        try withParent(path, "SETATTR") { (dir, name) throws(ServerViewError) in
            guard fchmodat(dir, name, mode.rawValue, AT_SYMLINK_NOFOLLOW) == 0 else { throw failure("SETATTR", path) }
        }
    }

    func statvfs(_ path: String) throws(ServerViewError) -> NFSFileSystemStats {
        try withOpened(path, nfsk_O_PATH, "FSSTAT") { (fd) throws(ServerViewError) in
            var sv = Glibc.statvfs()
            guard fstatvfs(fd, &sv) == 0 else { throw failure("FSSTAT", path) }
            let unit = UInt64(sv.f_frsize)
            return NFSFileSystemStats(
                blockSize: unit, totalBytes: UInt64(sv.f_blocks) * unit, freeBytes: UInt64(sv.f_bfree) * unit,
                availableBytes: UInt64(sv.f_bavail) * unit, totalFiles: UInt64(sv.f_files),
                freeFiles: UInt64(sv.f_ffree), maxNameLength: UInt64(sv.f_namemax))
        }
    }
}

extension NFSAttributes {
    init(_ st: Glibc.stat) {
        self.init(
            type: NFSFileType(mode: UInt64(st.st_mode)), mode: UInt32(st.st_mode) & 0o7777, uid: st.st_uid,
            gid: st.st_gid, size: UInt64(st.st_size), links: UInt64(st.st_nlink), fileid: UInt64(st.st_ino),
            mtime: NFSTime(seconds: Int64(st.st_mtim.tv_sec), nanoseconds: UInt32(st.st_mtim.tv_nsec)),
            ctime: NFSTime(seconds: Int64(st.st_ctim.tv_sec), nanoseconds: UInt32(st.st_ctim.tv_nsec)))
    }
}
