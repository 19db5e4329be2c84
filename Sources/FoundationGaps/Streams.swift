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

/// Standard input to its end.
public func readStandardInput() -> [UInt8] { readToEnd(0) }

/// Everything `fd` still yields until end of file or an error other than EINTR.
func readToEnd(_ fd: Int32) -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n > 0 { bytes += chunk.prefix(n) } else if n == 0 || errno != EINTR { return bytes }
    }
}
