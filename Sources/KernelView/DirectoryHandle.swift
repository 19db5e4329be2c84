import Glibc
import FoundationGaps
import Mounts
import SystemPackage

/// An open directory on this node, acted on through its descriptor: what is checked is what is
/// changed (no path is looked up twice), and no symlink is ever followed.
///
/// Every call runs with the view's deadline. The descriptor closes when the handle goes away.
public final class DirectoryHandle: @unchecked Sendable {
    public let path: String
    let fd: Int32
    let kernel: KernelView

    init(path: String, fd: Int32, kernel: KernelView) {
        self.path = path
        self.fd = fd
        self.kernel = kernel
    }

    deinit { close(fd) }

    /// `fstat(2)` of this directory.
    public func status() -> KernelView.Outcome<KernelView.Status> {
        let fd = fd
        return kernel.bounded {
            var st = stat()
            guard fstat(fd, &st) == 0 else { return .failure(Errno(rawValue: errno)) }
            return .success(KernelView.Status(st))
        }
    }

    /// `fstatat(2)` of an entry, never following it; `nil` when there is no such entry.
    public func status(of name: String) -> KernelView.Outcome<KernelView.Status?> {
        let fd = fd
        return kernel.bounded {
            var st = stat()
            guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
                return errno == ENOENT ? .success(nil) : .failure(Errno(rawValue: errno))
            }
            return .success(KernelView.Status(st))
        }
    }

    /// `mkdirat(2)`; the mode is then subject to the umask, so callers `chmod` afterwards.
    public func makeDirectory(_ name: String, mode: UInt32) -> KernelView.Outcome<Void> {
        let fd = fd
        return kernel.bounded {
            mkdirat(fd, name, mode_t(mode)) == 0 ? .success(()) : .failure(Errno(rawValue: errno))
        }
    }

    /// `unlinkat(2)` with AT_REMOVEDIR: removes an empty directory entry (never a symlink's target).
    public func removeDirectory(_ name: String) -> KernelView.Outcome<Void> {
        let fd = fd
        return kernel.bounded {
            unlinkat(fd, name, AT_REMOVEDIR) == 0 ? .success(()) : .failure(Errno(rawValue: errno))
        }
    }

    /// Opens a subdirectory with O_NOFOLLOW: a symlink there fails with ELOOP instead of being followed.
    public func openDirectory(_ name: String) -> KernelView.Outcome<DirectoryHandle> {
        let (fd, kernel, child) = (fd, kernel, path.hasSuffix("/") ? path + name : path + "/" + name)
        return kernel.bounded {
            let sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard sub >= 0 else { return .failure(Errno(rawValue: errno)) }
            return .success(DirectoryHandle(path: child, fd: sub, kernel: kernel))
        }
    }

    /// Writes `bytes` to `name` atomically: a new temporary file (O_CREAT|O_EXCL|O_NOFOLLOW, so
    /// nothing planted is followed or reused), fsync, then renameat over `name`.
    public func writeFileAtomically(_ name: String, _ bytes: [UInt8], mode: UInt32 = 0o644) -> KernelView.Outcome<Void>
    {
        let fd = fd
        let temporary = ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        return kernel.bounded {
            let out = openat(fd, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(mode))
            guard out >= 0 else { return .failure(Errno(rawValue: errno)) }
            do { _ = try FileDescriptor(rawValue: out).writeAll(bytes) } catch {  // EINTR retried
                close(out)
                unlinkat(fd, temporary, 0)
                return .failure(error as? Errno ?? .ioError)
            }
            fsync(out)
            close(out)
            guard renameat(fd, temporary, fd, name) == 0 else {
                let e = errno
                unlinkat(fd, temporary, 0)
                return .failure(Errno(rawValue: e))
            }
            return .success(())
        }
    }

    /// Reads a regular file in this directory, at most `limit` bytes. Opened with O_NOFOLLOW (a symlink
    /// fails with ELOOP) and O_NONBLOCK (a planted FIFO cannot block the open), then checked with
    /// `fstat`: anything but a regular file (FIFO, device, socket, directory) fails with EINVAL unread.
    public func readFile(_ name: String, limit: Int = 1 << 20) -> KernelView.Outcome<[UInt8]> {
        let fd = fd
        return kernel.bounded {
            let input: Int32
            switch openRegularFile(in: fd, name, O_RDONLY) {
            case .success(let opened): input = opened
            case .failure(let e): return .failure(e)
            }
            defer { close(input) }
            // Beyond `limit`, the first `limit` bytes (a runaway or hostile file is not read whole).
            switch readUpTo(input, limit: limit) {
            case .success(let read): return .success(read.bytes)
            case .failure(let e): return .failure(e)
            }
        }
    }

    /// The names in this directory (without "." and "..").
    public func entryNames() -> KernelView.Outcome<[String]> {
        let fd = fd
        return kernel.bounded {
            let copy = dup(fd)
            guard copy >= 0, let dir = fdopendir(copy) else { return .failure(Errno(rawValue: errno)) }
            defer { closedir(dir) }
            rewinddir(dir)
            return .success(readNames(dir))
        }
    }

    /// Opens the subdirectory `name`, creating it (mode 0755) when missing; never follows a symlink.
    public func openOrMakeDirectory(_ name: String) -> KernelView.Outcome<DirectoryHandle> {
        if case .failure(let e) = makeDirectory(name, mode: 0o755), e != .fileExists { return .failure(e) }
        return openDirectory(name)
    }

    /// `fchown(2)` of this directory.
    public func changeOwner(uid: UInt32, gid: UInt32) -> KernelView.Outcome<Void> {
        let fd = fd
        return kernel.bounded { fchown(fd, uid, gid) == 0 ? .success(()) : .failure(Errno(rawValue: errno)) }
    }

    /// `fchmod(2)` of this directory.
    public func changeMode(_ mode: UInt32) -> KernelView.Outcome<Void> {
        let fd = fd
        return kernel.bounded { fchmod(fd, mode_t(mode)) == 0 ? .success(()) : .failure(Errno(rawValue: errno)) }
    }
}

extension KernelView {
    /// Opens an absolute path one component at a time from `/`, each with O_NOFOLLOW: fails with
    /// ELOOP (or ENOTDIR) if any component is a symlink, however it got there and whenever.
    public func openDirectoryNoFollow(_ path: String) -> Outcome<DirectoryHandle> {
        guard path.hasPrefix("/") else { return .failure(.invalidArgument) }
        let components = path.split(separator: "/").map(String.init)
        guard !components.contains(".."), !components.contains(".") else { return .failure(.invalidArgument) }
        let kernel = self
        let root: Outcome<DirectoryHandle> = bounded {
            let fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            return fd >= 0
                ? .success(DirectoryHandle(path: "/", fd: fd, kernel: kernel)) : .failure(Errno(rawValue: errno))
        }
        guard case .success(var handle) = root else { return root }
        for name in components {
            switch handle.openDirectory(name) {
            case .success(let next): handle = next
            case .failure(let errno): return .failure(errno)
            case .timedOut: return .timedOut
            }
        }
        return .success(handle)
    }
}

// Unbounded calls, for KernelPoller checks only: the poller's watchdog bounds them, and a thread hop
// per poll (what `bounded` costs) would blur the resolution the probe measures with.
extension DirectoryHandle {
    /// One `fstatat(2)` of an entry, never following it: `nil` for ENOENT, `.failure` for any other errno.
    public func pollStatus(of name: String) -> Result<KernelView.Status?, Errno> {
        var st = stat()
        guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
            return errno == ENOENT ? .success(nil) : .failure(Errno(rawValue: errno))
        }
        return .success(KernelView.Status(st))
    }

    /// A fresh open (O_NOFOLLOW) and full read of the subdirectory `name`: the names a listing shows now.
    public func pollNames(inSubdirectory name: String) -> Set<String>? {
        let sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard sub >= 0 else { return nil }
        guard let dir = fdopendir(sub) else { close(sub); return nil }
        defer { closedir(dir) }
        return Set(readNames(dir))
    }
}

/// `openat(2)` of a regular file in `dir` with `access` (O_RDONLY, O_RDWR): O_NOFOLLOW (a symlink fails
/// with ELOOP) and O_NONBLOCK (a planted FIFO cannot block the open), then `fstat`: anything but a
/// regular file (FIFO, device, socket, directory) is closed again and fails with EINVAL.
func openRegularFile(in dir: Int32, _ name: String, _ access: Int32) -> Result<Int32, Errno> {
    let file = openat(dir, name, access | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
    guard file >= 0 else { return .failure(Errno(rawValue: errno)) }
    var st = stat()
    guard fstat(file, &st) == 0 else { let e = errno; close(file); return .failure(Errno(rawValue: e)) }
    guard st.st_mode & S_IFMT == S_IFREG else { close(file); return .failure(.invalidArgument) }
    return .success(file)
}

/// The names `readdir(3)` returns from an open stream, without "." and "..".
func readNames(_ dir: OpaquePointer) -> [String] {
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}
