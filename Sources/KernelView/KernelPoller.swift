import FoundationGaps
import NFSModel
import FoundationEssentials

/// One thread that polls this node's mount for many watches at once, every `interval`.
///
/// A probe watches dozens of names at the same time; a thread per watch (or per call) would cost
/// more than the syscalls. Each round runs every watch's check once, in order. If one check does
/// not return within the view's timeout (a hung hard mount), `stuck` reports it and the owner
/// abandons the poller: its thread stays blocked, the process does not.
public final class KernelPoller: @unchecked Sendable {
    public let interval: Duration
    private let condition = Condition()
    private var watches: [Int: Watch] = [:]
    private var nextID = 0
    private var stopping = false
    private var callStarted: ContinuousClock.Instant?
    private var lastRound: ContinuousClock.Instant?
    private var periodSum = Duration.zero
    private var periods = 0
    private let clock = ContinuousClock()

    struct Watch {
        var check: @Sendable () -> Bool
        var done: @Sendable (Sighting) -> Void
        /// When the last check that saw nothing started (at first: when the watch was added).
        var lastMiss: ContinuousClock.Instant
        var checks = 0
    }

    /// When a watch's check first held, and since when it may have held unseen.
    public struct Sighting: Sendable {
        /// The end of the check that held.
        public var at: ContinuousClock.Instant
        /// From the start of the last check that did not hold to `at`: the change showed somewhere
        /// in this span, so a figure taken at `at` is late by at most this much. About the round
        /// period on an idle node; longer when a check waits on an RPC or the node stalls.
        public var gap: Duration
        /// How many checks ran, the one that held included: 1 when the first check after the watch began
        /// already saw it.
        public var checks: Int
    }

    public init(interval: Duration) {
        self.interval = interval
        startThread(stackSize: 1 << 20) { [self] in run() }  // each check runs here: room as on a task
    }

    /// Calls `check` every round until it returns true, then `done` with when it did.
    @discardableResult
    public func watch(
        _ check: @escaping @Sendable () -> Bool, done: @escaping @Sendable (Sighting) -> Void
    ) -> Int {
        condition.lock()
        defer { condition.unlock() }
        nextID += 1
        watches[nextID] = Watch(check: check, done: done, lastMiss: clock.now)
        condition.signal()
        return nextID
    }

    public func cancel(_ id: Int) {
        condition.lock()
        watches[id] = nil
        condition.unlock()
    }

    /// How long the check in progress has been running, if one is.
    public var stuck: Duration? {
        condition.lock()
        defer { condition.unlock() }
        return callStarted.map { clock.now - $0 }
    }

    /// The average time between the starts of two consecutive rounds (idle gaps, when nothing
    /// was watched, left out): the probe's real resolution, slower than `interval` when the
    /// checks themselves are slow (every lstat an RPC under noac or lookupcache=none).
    public var roundPeriod: Duration? {
        condition.lock()
        defer { condition.unlock() }
        return periods > 0 ? periodSum / periods : nil
    }

    public func stop() {
        condition.lock()
        stopping = true
        watches.removeAll()
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while watches.isEmpty && !stopping {
                lastRound = nil  // idle: the next gap is not a poll period
                condition.wait()
            }
            if stopping { condition.unlock(); return }
            let round = watches
            let start = clock.now
            if let lastRound {
                periodSum += start - lastRound
                periods += 1
            }
            lastRound = start
            condition.unlock()
            for (id, watch) in round.sorted(by: { $0.key < $1.key }) { poll(id, watch) }
            let next = start.advanced(by: interval)
            if clock.now < next { sleepThread(next - clock.now) }
        }
    }

    /// One check of one watch, unless it was cancelled meanwhile.
    private func poll(_ id: Int, _ watch: Watch) {
        condition.lock()
        let live = watches[id] != nil && !stopping
        let started = clock.now
        if live { callStarted = started }
        condition.unlock()
        guard live else { return }
        let seen = watch.check()
        let at = clock.now
        condition.lock()
        callStarted = nil
        let still = watches.removeValue(forKey: id) != nil
        var next = watch  // for the next round, if it goes on
        (next.lastMiss, next.checks) = (started, watch.checks + 1)
        if !seen && still { watches[id] = next }
        condition.unlock()
        if seen && still { watch.done(Sighting(at: at, gap: at - watch.lastMiss, checks: next.checks)) }
    }
}
