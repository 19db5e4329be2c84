#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Writes all of `text` to standard error (swift-system's writeAll: EINTR and short writes retried).
public func writeStandardError(_ text: String) {
    _ = try? FileDescriptor.standardError.writeAll(text.utf8)
}

/// Writes all of `text` to standard output, after whatever `print` has buffered.
public func writeStandardOutput(_ text: String) {
    fflush(nil)  // every stream: stdout is a C global Swift 6 will not touch
    _ = try? FileDescriptor.standardOutput.writeAll(text.utf8)
}

/// Standard input to its end (an empty input when a read fails).
public func readStandardInput() -> [UInt8] { (try? readUpTo(0, limit: .max).get().bytes) ?? [] }

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
