#if canImport(Glibc)
import Glibc
#endif

/// Writes all of `text` to standard error (write(2), retried on EINTR and short writes).
public func writeStandardError(_ text: String) { writeAll(2, text) }

/// Writes all of `text` to standard output, after whatever `print` has buffered.
public func writeStandardOutput(_ text: String) {
    fflush(nil)  // every stream: stdout is a C global Swift 6 will not touch
    writeAll(1, text)
}

/// Standard input to its end.
public func readStandardInput() -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(0, &chunk, chunk.count)
        if n > 0 { bytes += chunk.prefix(n) } else if n == 0 || errno != EINTR { return bytes }
    }
}

private func writeAll(_ fd: Int32, _ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n > 0 { bytes = bytes.dropFirst(n) } else if n == 0 || errno != EINTR { return }
    }
}
