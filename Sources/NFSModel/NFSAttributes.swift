import Glibc
import SystemPackage

/// The kind of object an NFS file handle names (NFSv3 `ftype3`, NFSv4 `nfs_ftype4`).
public enum NFSFileType: String, Sendable, Codable {
    case regular, directory, symlink, blockDevice, characterDevice, socket, fifo, unknown

    /// From the type bits of a `st_mode`-style mode.
    public init(mode: UInt64) {
        switch mode & 0o170000 {
        case 0o100000: self = .regular
        case 0o040000: self = .directory
        case 0o120000: self = .symlink
        case 0o060000: self = .blockDevice
        case 0o020000: self = .characterDevice
        case 0o140000: self = .socket
        case 0o010000: self = .fifo
        default: self = .unknown
        }
    }
}

/// A point in time as the server stores it (seconds and nanoseconds since the epoch).
public struct NFSTime: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var seconds: Int64
    public var nanoseconds: UInt32

    public init(seconds: Int64, nanoseconds: UInt32) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public var timeIntervalSince1970: Double { Double(seconds) + Double(nanoseconds) / 1e9 }
    public static func < (a: NFSTime, b: NFSTime) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }
    public var description: String { "\(seconds).\(String(nanoseconds + 1_000_000_000).dropFirst())" }
}

/// The attributes the server returns for one object (GETATTR), numeric ids as stored on the server.
public struct NFSAttributes: Hashable, Sendable, Codable {
    public var type: NFSFileType
    /// Permission bits only (no file type bits), e.g. 0o755.
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var size: UInt64
    public var links: UInt64
    public var fileid: UInt64
    public var mtime: NFSTime
    public var ctime: NFSTime

    public var permissions: FilePermissions { FilePermissions(rawValue: CModeT(mode)) }

    public init(
        type: NFSFileType, mode: UInt32, uid: UInt32, gid: UInt32, size: UInt64, links: UInt64, fileid: UInt64,
        mtime: NFSTime, ctime: NFSTime
    ) {
        (self.type, self.mode, self.uid, self.gid, self.size) = (type, mode, uid, gid, size)
        (self.links, self.fileid, self.mtime, self.ctime) = (links, fileid, mtime, ctime)
    }
}

/// One entry of a READDIRPLUS reply: the name with the attributes that came with it.
public struct NFSDirectoryEntry: Hashable, Sendable, Codable {
    public var name: String
    public var attributes: NFSAttributes

    public init(name: String, attributes: NFSAttributes) { (self.name, self.attributes) = (name, attributes) }
}

/// FSSTAT (NFSv3) or the equivalent NFSv4 attributes: space and inodes of the exported filesystem.
public struct NFSFileSystemStats: Hashable, Sendable, Codable {
    public var blockSize: UInt64
    public var totalBytes: UInt64
    public var freeBytes: UInt64
    public var availableBytes: UInt64
    public var totalFiles: UInt64
    public var freeFiles: UInt64
    public var maxNameLength: UInt64

    public init(
        blockSize: UInt64, totalBytes: UInt64, freeBytes: UInt64, availableBytes: UInt64, totalFiles: UInt64,
        freeFiles: UInt64, maxNameLength: UInt64
    ) {
        (self.blockSize, self.totalBytes, self.freeBytes, self.availableBytes) = (
            blockSize, totalBytes, freeBytes, availableBytes
        )
        (self.totalFiles, self.freeFiles, self.maxNameLength) = (totalFiles, freeFiles, maxNameLength)
    }
}

/// One line of the MOUNT protocol's EXPORT reply (what `showmount -e` prints).
public struct NFSExport: Hashable, Sendable, Codable {
    public var path: String
    /// Client groups allowed to mount it; empty means everyone.
    public var clients: [String]

    public init(path: String, clients: [String]) { (self.path, self.clients) = (path, clients) }
}

/// The identity the server view presents to the server: AUTH_SYS uid and gid.
///
/// The server believes these numbers as given (AUTH_SYS has no proof of identity), which is how the
/// agent acts as the directory's owner on an export that squashes root.
public struct NFSCredentials: Hashable, Sendable, Codable, CustomStringConvertible {
    public var uid: UInt32
    public var gid: UInt32

    public init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }

    public static let root = NFSCredentials(uid: 0, gid: 0)
    /// This process's own real uid and gid.
    public static var ownProcess: NFSCredentials { NFSCredentials(uid: UInt32(getuid()), gid: UInt32(getgid())) }
    /// Root when this process runs as root, else its own identity (what it may present).
    public static var mostPrivileged: NFSCredentials { geteuid() == 0 ? .root : .ownProcess }
    public var description: String { "uid=\(uid) gid=\(gid)" }
}
