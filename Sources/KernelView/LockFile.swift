import Glibc
import SystemPackage

/// A regular file this node created in a directory it holds open, kept open for POSIX record locks.
///
/// Locks are the classic `fcntl(F_SETLK)` kind Workbench's advisory locks use: owned by this process,
/// sent to the server by the kernel (NLM for NFSv3, LOCK for NFSv4) unless the mount keeps them local.
/// Every call runs with the view's deadline; the descriptor closes when the handle goes away, which
/// drops any lock still held.
public final class LockFile: @unchecked Sendable {
    public let name: String
    let fd: Int32
    let kernel: KernelView

    init(name: String, fd: Int32, kernel: KernelView) {
        (self.name, self.fd, self.kernel) = (name, fd, kernel)
    }

    deinit { close(fd) }

    /// What a non-blocking lock request got.
    public enum LockResult: String, Sendable, Codable {
        case granted
        /// EAGAIN or EACCES: another owner holds a conflicting lock.
        case conflict
    }

    /// `fcntl(F_SETLK)` of a write lock over the whole file; a conflict is a result, any other errno
    /// (ENOLCK: "No locks available") a failure.
    public func tryWriteLock() -> KernelView.Outcome<LockResult> {
        setLock(Int16(F_WRLCK)).then { held in .success(held ? .granted : .conflict) }
    }

    /// `fcntl(F_SETLK)` with F_UNLCK over the whole file.
    public func unlock() -> KernelView.Outcome<Void> {
        setLock(Int16(F_UNLCK)).then { _ in .success(()) }
    }

    private func setLock(_ type: Int16) -> KernelView.Outcome<Bool> {
        let fd = fd
        return kernel.bounded {
            var lock = flock()
            lock.l_type = type
            lock.l_whence = Int16(SEEK_SET)
            lock.l_start = 0
            lock.l_len = 0  // to the end of the file, however it grows
            if fcntl(fd, F_SETLK, &lock) == 0 { return .success(true) }
            let e = errno
            return e == EAGAIN || e == EACCES ? .success(false) : .failure(Errno(rawValue: e))
        }
    }
}

extension DirectoryHandle {
    /// Creates `name` (O_CREAT|O_EXCL|O_NOFOLLOW: nothing planted is reused or followed), read-write,
    /// then sets `mode` exactly (`fchmod`, past the umask).
    public func createFile(_ name: String, mode: UInt32) -> KernelView.Outcome<LockFile> {
        let (fd, kernel) = (fd, kernel)
        return kernel.bounded {
            let file = openat(fd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(mode))
            guard file >= 0 else { return .failure(Errno(rawValue: errno)) }
            let handle = LockFile(name: name, fd: file, kernel: kernel)
            guard fchmod(file, mode_t(mode)) == 0 else { return .failure(Errno(rawValue: errno)) }
            return .success(handle)
        }
    }

    /// Creates `name` exclusively (O_CREAT|O_EXCL|O_NOFOLLOW) with exactly `mode`, writes one byte and
    /// fsyncs it (WRITE and COMMIT), and returns its status: its mtime is the server's clock at the WRITE.
    /// Not the create's: servers may keep an exclusive create's verifier in mtime until a SETATTR.
    public func createStamped(_ name: String, mode: UInt32) -> KernelView.Outcome<KernelView.Status> {
        let fd = fd
        return kernel.bounded {
            let file = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(mode))
            guard file >= 0 else { return .failure(Errno(rawValue: errno)) }
            defer { close(file) }
            var byte: UInt8 = 0x2e, st = stat()
            guard fchmod(file, mode_t(mode)) == 0, pwrite(file, &byte, 1, 0) == 1, fsync(file) == 0,
                  fstat(file, &st) == 0 else { return .failure(Errno(rawValue: errno)) }
            return .success(KernelView.Status(st))
        }
    }

    /// Opens an existing regular file read-write (O_NOFOLLOW: a symlink fails with ELOOP), as a second,
    /// independent open of it: a new NFSv4 open state, so a lock request starts from scratch.
    public func openFile(_ name: String) -> KernelView.Outcome<LockFile> {
        let (fd, kernel) = (fd, kernel)
        return kernel.bounded {
            switch openRegularFile(in: fd, name, O_RDWR) {
            case .success(let file): .success(LockFile(name: name, fd: file, kernel: kernel))
            case .failure(let e): .failure(e)
            }
        }
    }

    /// `linkat(2)`: a second name for `existing` in this directory, the step of a link-based lock.
    /// The link itself is never followed (no AT_SYMLINK_FOLLOW).
    public func link(_ existing: String, as name: String) -> KernelView.Outcome<Void> {
        let fd = fd
        return kernel.bounded {
            linkat(fd, existing, fd, name, 0) == 0 ? .success(()) : .failure(Errno(rawValue: errno))
        }
    }

    /// `unlinkat(2)` of a file entry (never a directory, never a symlink's target).
    public func removeFile(_ name: String) -> KernelView.Outcome<Void> {
        let fd = fd
        return kernel.bounded {
            unlinkat(fd, name, 0) == 0 ? .success(()) : .failure(Errno(rawValue: errno))
        }
    }
}
