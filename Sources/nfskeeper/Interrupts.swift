import FoundationGaps
import Dispatch
import FoundationEssentials
import Glibc
import Synchronization

/// Runs `body` as a task that SIGINT and SIGTERM cancel instead of killing the process, so the
/// work in progress stops at its next check and removes what it created on shared storage.
/// Returns the body's result, or exits 128+signal once the body has unwound, saying how many of the
/// run's files and directories it removed when `removed` can tell.
/// `stopsQuietly`: a service's stop (`watch`): the signal only ends the body, whose result is then returned.
func runInterruptible<T: Sendable>(removed: (T) -> Int? = { _ in nil }, stopsQuietly: Bool = false,
                                   _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let task = Task { try await body() }
    let caught = SignalBox()
    let sources = [SIGINT, SIGTERM].map { signo -> DispatchSourceSignal in
        signal(signo, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
        source.setEventHandler {
            caught.set(signo)
            task.cancel()
        }
        source.resume()
        return source
    }
    defer { sources.forEach { $0.cancel() } }
    let result = await task.result
    if let signo = caught.get(), !stopsQuietly {
        let name = signo == SIGINT ? "SIGINT" : "SIGTERM"
        let erase = isatty(STDERR_FILENO) == 1 ? "\r\u{1B}[K" : ""  // the progress bar, if one is shown
        let count = (try? result.get()).flatMap(removed)  // nil: the body failed or cannot count
        let cleaned = count.map { "removed this run's \($0) temporary files and directories from the share" }
            ?? "this run's temporary files on the share are removed"
        writeStandardError((erase + "nfskeeper: interrupted (\(name)): stopped; \(cleaned)\n"))
        exit(128 + signo)
    }
    return try result.get()
}

/// The first signal caught (a Mutex: a pthread_mutex_t stored in a class may move, which pthreads forbid).
private final class SignalBox: Sendable {
    private let value = Mutex<Int32?>(nil)
    func set(_ v: Int32) { value.withLock { $0 = $0 ?? v } }
    func get() -> Int32? { value.withLock { $0 } }
}
