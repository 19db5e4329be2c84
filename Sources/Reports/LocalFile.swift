import Glibc
import SystemPackage

/// The files this node writes for itself (the JSON report, the Prometheus textfile, the history):
/// never through a symlink, never into anything but a regular file, with an explicit mode.
public enum LocalFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var step: String
        public var errno: Int32
        public var description: String {
            "\(path): \(step): \(String(cString: strerror(errno)))"
                + (errno == ELOOP ? " (a symlink: not followed)" : "")
        }
    }

    /// Appends `bytes`; the file is created with `mode` when missing (its directory too). O_NOFOLLOW:
    /// a symlink planted at `path` fails with ELOOP instead of redirecting root's writes.
    public static func append(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(WriteError) {
        try makeParent(of: path)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, mode)
        guard fd >= 0 else { throw WriteError(path: path, step: "open", errno: errno) }
        defer { close(fd) }
        try requireRegular(fd, path)
        try writeAll(fd, bytes, path)
    }

    /// Replaces `path` with `bytes` (owned by `owner` when given): a new temporary file beside it
    /// (O_CREAT|O_EXCL|O_NOFOLLOW, a name unique to the process and call), fsync, rename. Readers see
    /// the old file or the new, never half.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644,
                                       owner: (uid: uid_t, gid: gid_t)? = nil) throws(WriteError) {
        try makeParent(of: path)
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw WriteError(path: temporary, step: "create", errno: errno) }
        do throws(WriteError) {
            try writeAll(fd, bytes, temporary)
            if let owner, fchown(fd, owner.uid, owner.gid) != 0 {
                throw WriteError(path: temporary, step: "fchown", errno: errno)
            }
            guard fchmod(fd, mode) == 0, fsync(fd) == 0 else {
                throw WriteError(path: temporary, step: "fsync", errno: errno)
            }
            close(fd)
            guard rename(temporary, path) == 0 else { throw WriteError(path: path, step: "rename", errno: errno) }
        } catch {
            close(fd)  // harmless EBADF when already closed
            unlink(temporary)
            throw error
        }
    }

    static func makeParent(of path: String) throws(WriteError) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let parent = String(path[..<slash])
        var st = stat()
        if stat(parent, &st) == 0 { return }
        try makeParent(of: parent)
        guard mkdir(parent, 0o755) == 0 || errno == EEXIST else {
            throw WriteError(path: parent, step: "mkdir", errno: errno)
        }
    }

    static func requireRegular(_ fd: Int32, _ path: String) throws(WriteError) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw WriteError(path: path, step: "fstat", errno: errno) }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw WriteError(path: path, step: "not a regular file", errno: EINVAL)
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ path: String) throws(WriteError) {
        do { _ = try FileDescriptor(rawValue: fd).writeAll(bytes) } catch {  // swift-system retries EINTR
            throw WriteError(path: path, step: "write", errno: (error as? Errno)?.rawValue ?? EIO)
        }
    }
}
