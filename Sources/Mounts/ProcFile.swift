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

/// Reads `fd` until end of file or `limit` bytes, whichever comes first, retrying EINTR (swift-system's
/// `read`); `more`: the file goes on. A failed read is its errno. The one read loop of every file reader.
public func readUpTo(_ fd: Int32, limit: Int) -> Result<(bytes: [UInt8], more: Bool), Errno> {
    let file = FileDescriptor(rawValue: fd)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while bytes.count <= limit {
        let n: Int
        do { n = try chunk.withUnsafeMutableBytes { try file.read(into: $0) } } catch {
            return .failure(error as? Errno ?? .ioError)
        }
        if n == 0 { return .success((bytes, false)) }
        bytes += chunk[0..<n]
    }
    return .success((Array(bytes.prefix(limit)), true))
}
