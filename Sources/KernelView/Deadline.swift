import FoundationGaps
import NFSModel
import FoundationEssentials

/// Runs `body` on a thread of its own and waits at most `timeout` for it.
///
/// A process touching a hung hard NFS mount sleeps in the kernel (D state) and no signal gets it
/// out. The only safe way to ask such a mount anything is from a thread we can walk away from:
/// on timeout this returns nil and the thread is abandoned — it finishes, or stays stuck, on its
/// own, and the process can still exit.
public func withDeadline<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () -> T) -> T? {
    let box = ResultBox<T>()
    startThread(stackSize: 256 * 1024) { box.set(body()) }
    return box.wait(timeout)
}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let condition = Condition()
    private var value: T?

    func set(_ v: T) {
        condition.lock()
        value = v
        condition.broadcast()
        condition.unlock()
    }

    func wait(_ timeout: Duration) -> T? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        condition.lock()
        defer { condition.unlock() }
        while value == nil, clock.now < deadline {
            if !condition.wait(for: deadline - clock.now) { break }
        }
        return value
    }
}
