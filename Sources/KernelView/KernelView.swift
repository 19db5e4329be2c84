import CGlibcCompat
import Glibc
import SystemPackage

/// This node's kernel, as seen through its mounts: each call made on a thread with a deadline.
public struct KernelView: Sendable {
    /// How long any single call may take before the mount counts as not answering.
    public var timeout: Duration

    public init(timeout: Duration = .seconds(10)) { self.timeout = timeout }

    /// The outcome of a kernel-side call: a result, an errno, or no answer in time.
    public enum Outcome<T: Sendable>: Sendable {
        case success(T)
        case failure(Errno)
        case timedOut

        public var value: T? { if case .success(let v) = self { v } else { nil } }

        /// The next call, made only if this one succeeded.
        public func then<U: Sendable>(_ next: (T) -> Outcome<U>) -> Outcome<U> {
            switch self {
            case .success(let v): next(v)
            case .failure(let e): .failure(e)
            case .timedOut: .timedOut
            }
        }
    }

    /// What `lstat` reports, trimmed to what nfskeeper compares.
    public struct Status: Hashable, Sendable, Codable {
        public var isDirectory: Bool
        public var isSymlink: Bool
        public var mode: UInt32
        public var uid: UInt32
        public var gid: UInt32
        public var size: UInt64
        public var deviceMajor: UInt32
        public var deviceMinor: UInt32
        public var inode: UInt64
        public var mtime: Double
        /// Hard links to the file (`st_nlink`): 2 once a link-based lock's link is made.
        public var links: UInt64 = 1
    }

    /// `lstat(2)`: never follows a final symlink.
    public func lstat(_ path: String) -> Outcome<Status> {
        bounded {
            var st = stat()
            guard Glibc.lstat(path, &st) == 0 else { return .failure(Errno(rawValue: errno)) }
            return .success(Status(st))
        }
    }

    /// Whether the filesystem holding `path` keeps the ACL extended attribute `name` (`system.nfs4_acl`,
    /// `system.posix_acl_access`): `lgetxattr(2)` answers with the ACL, or ENODATA when none is set; it
    /// answers EOPNOTSUPP when the filesystem has none (an NFS server without ACLs, or `noacl`).
    public func keepsACL(_ path: String, attribute name: String) -> Outcome<Bool> {
        bounded {
            if lgetxattr(path, name, nil, 0) >= 0 { return .success(true) }
            switch errno {
            case ENODATA: return .success(true)
            case EOPNOTSUPP: return .success(false)
            default: return .failure(Errno(rawValue: errno))
            }
        }
    }

    /// `realpath(3)`: the canonical path, every symlink on the way resolved.
    public func realpath(_ path: String) -> Outcome<String> {
        bounded {
            guard let resolved = Glibc.realpath(path, nil) else { return .failure(Errno(rawValue: errno)) }
            defer { free(resolved) }
            return .success(String(cString: resolved))
        }
    }

    func bounded<T: Sendable>(_ body: @escaping @Sendable () -> Outcome<T>) -> Outcome<T> {
        withDeadline(timeout, body) ?? .timedOut
    }
}

extension KernelView.Status {
    init(_ st: stat) {
        self.init(
            isDirectory: st.st_mode & S_IFMT == S_IFDIR, isSymlink: st.st_mode & S_IFMT == S_IFLNK,
            mode: UInt32(st.st_mode & 0o7777), uid: st.st_uid, gid: st.st_gid, size: UInt64(st.st_size),
            deviceMajor: devMajor(UInt64(st.st_dev)), deviceMinor: devMinor(UInt64(st.st_dev)),
            inode: UInt64(st.st_ino),
            mtime: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9, links: UInt64(st.st_nlink))
    }
}

// glibc's dev_t encoding (sys/sysmacros.h), whose macros Swift cannot import.
func devMajor(_ dev: UInt64) -> UInt32 {
    UInt32(truncatingIfNeeded: ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff)))
}
func devMinor(_ dev: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))) }
