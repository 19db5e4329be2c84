import FoundationGaps
import Glibc
import SystemPackage

/// Reads a whole file with read(2) until end of file.
///
/// /proc files report a size of 0, and readers that trust the size (or read one buffer) get
/// only the first page: on a node with many NFS mounts, /proc/self/mountstats is far longer.
/// Returns nil when the file cannot be opened, or is longer than `limit` (64 MiB: far beyond the
/// mountstats of thousands of mounts; `/dev/zero` or a runaway file must not take the memory).
public func readWholeFile(_ path: String, limit: Int = 64 << 20) -> String? {
    readWholeFileBytes(path, limit: limit).map { String(decoding: $0, as: UTF8.self) }
}

/// `readWholeFile`'s bytes as they are, for what is not text (a key).
public func readWholeFileBytes(_ path: String, limit: Int = 64 << 20) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    guard case .success(let (bytes, more)) = readUpTo(fd, limit: limit), !more else { return nil }
    return bytes
}

