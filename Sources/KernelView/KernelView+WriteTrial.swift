import CGlibcCompat
import Glibc
import NFSModel
import SystemPackage

/// A service account as the kernel's NFS client sends it (AUTH_SYS): uid, gid and supplementary groups.
public struct Credentials: Sendable, Hashable {
    public var uid: UInt32
    public var gid: UInt32
    public var groups: [UInt32]

    public init(uid: UInt32, gid: UInt32, groups: [UInt32]) { (self.uid, self.gid, self.groups) = (uid, gid, groups) }
}

/// The step of a write trial that failed, and why.
public struct WriteTrialFailure: Sendable, Hashable, Error {
    public enum Step: String, Sendable {
        case credentials = "take the account's credentials"
        case openDirectory = "open the directory"
        case createDirectory = "create a directory"
        case createFile = "create a file"
        case write = "write"
        case flush = "flush to the server (fsync)"
        case remove = "remove what it created"
    }

    public var step: Step
    public var errno: Errno

    /// `step` failed just now: the thread's errno says why.
    static func now(_ step: Step) -> Self { Self(step: step, errno: Errno(rawValue: Glibc.errno)) }
}

extension KernelView {
    /// Whether `account` can do in `directory` what a service does with its data, through this node's
    /// mount: on a thread of its own, as that account (fsuid, fsgid, groups), it creates a directory
    /// `.nfskeeper-PURPOSE-NODE-PID-RANDOM` (0700) in it, a file in that (0600, exclusively, no symlink
    /// followed), writes and fsyncs it (quota and space errors show there), and removes both. A killed
    /// run's directory is removed first, as the same account. Success is nil; `.timedOut`: the mount is hung.
    public func writeTrial(in directory: String, as account: Credentials, purpose: String,
                           node: String) -> Outcome<WriteTrialFailure?> {
        bounded {
            let saved = Self.threadCredentials()
            guard nfsk_thread_setgroups(account.groups.count, account.groups) == 0 else {
                return .success(WriteTrialFailure.now(.credentials))
            }
            _ = nfsk_thread_setfsgid(account.gid)
            _ = nfsk_thread_setfsuid(account.uid)
            defer {
                _ = nfsk_thread_setfsuid(saved.uid)
                _ = nfsk_thread_setfsgid(saved.gid)
                _ = nfsk_thread_setgroups(saved.groups.count, saved.groups)
            }
            // setfsuid answers the previous id even when it refuses; asking with -1 reads the current one.
            guard nfsk_thread_setfsuid(UInt32.max) == Int32(bitPattern: account.uid) else {
                return .success(WriteTrialFailure(step: .credentials, errno: .notPermitted))
            }
            return .success(Self.trial(directory, purpose: purpose, node: node))
        }
    }

    static func threadCredentials() -> Credentials {
        var groups = [gid_t](repeating: 0, count: Int(getgroups(0, nil)))
        groups = Array(groups.prefix(Int(max(0, getgroups(Int32(groups.count), &groups)))))
        return Credentials(uid: UInt32(bitPattern: nfsk_thread_setfsuid(UInt32.max)),
                           gid: UInt32(bitPattern: nfsk_thread_setfsgid(UInt32.max)), groups: groups)
    }

    /// The trial itself, already as the account.
    static func trial(_ directory: String, purpose: String, node: String) -> WriteTrialFailure? {
        let dir = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { return WriteTrialFailure.now(.openDirectory) }
        defer { close(dir) }
        removeLeftovers(dir, purpose: purpose, node: node)
        let name = TemporaryName.make(purpose: purpose, node: node)
        guard mkdirat(dir, name, 0o700) == 0 else { return WriteTrialFailure.now(.createDirectory) }
        let made = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        var failure: WriteTrialFailure?
        if made < 0 { failure = WriteTrialFailure.now(.createDirectory) }
        else { failure = writeFile(in: made); close(made) }
        if unlinkat(dir, name, AT_REMOVEDIR) != 0, failure == nil {
            failure = WriteTrialFailure.now(.remove)
        }
        return failure
    }

    static let fileName = "data"

    /// Creates, writes, fsyncs and removes `data` in the trial's own directory.
    static func writeFile(in made: Int32) -> WriteTrialFailure? {
        let fd = openat(made, fileName, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return WriteTrialFailure.now(.createFile) }
        var failure: WriteTrialFailure?
        let bytes: [UInt8] = Array("nfskeeper write trial\n".utf8)
        if write(fd, bytes, bytes.count) != bytes.count { failure = WriteTrialFailure.now(.write) }
        else if fsync(fd) != 0 { failure = WriteTrialFailure.now(.flush) }
        if close(fd) != 0, failure == nil { failure = WriteTrialFailure.now(.flush) }
        if unlinkat(made, fileName, 0) != 0, failure == nil {
            failure = WriteTrialFailure.now(.remove)
        }
        return failure
    }

    /// Trial directories of this node's killed runs (their pid gone): the file in each, then the directory.
    static func removeLeftovers(_ dir: Int32, purpose: String, node: String) {
        let listing = dup(dir)
        guard listing >= 0, let stream = fdopendir(listing) else { return }
        defer { closedir(stream) }
        var names: [String] = [], read = 0
        // Bounded: a data directory's top level is small, and a huge one is not read to the end.
        while read < 4096, let entry = readdir(stream) {
            read += 1
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if TemporaryName.isKilledRunsLeftover(name, purpose: purpose, node: node) { names.append(name) }
        }
        for name in names {
            let made = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard made >= 0 else { continue }
            _ = unlinkat(made, fileName, 0)
            close(made)
            _ = unlinkat(dir, name, AT_REMOVEDIR)
        }
    }
}
