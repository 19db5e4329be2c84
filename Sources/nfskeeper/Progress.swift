import Foundation

/// A one-line status on standard error while a step waits, erased when it is done.
/// Only on a terminal: logs and pipes get nothing.
struct Progress: Sendable {
    var enabled: Bool

    func show(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
