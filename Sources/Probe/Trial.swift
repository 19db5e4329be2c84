import SystemPackage
import FoundationEssentials
import Synchronization
import KernelView
import ServerView

/// Everything one probe run shares between its trials.
struct ProbeContext: Sendable {
    let server: ServerView
    let kernel: KernelView
    let poller: KernelPoller
    let maxWait: Duration
    let namePrefix: String  // node-pid: unique per node and process

    /// Waits until `check` holds on this node's mount, or `wait` passes, or the task is cancelled.
    /// Returns when the poller saw it.
    func awaitSighting(within wait: Duration? = nil,
                       _ check: @escaping @Sendable () -> Bool) async -> KernelPoller.Sighting? {
        let seen = Mutex<KernelPoller.Sighting?>(nil)
        let id = poller.watch(check) { sighting in seen.withLock { if $0 == nil { $0 = sighting } } }
        let deadline = ContinuousClock.now.advanced(by: wait ?? maxWait)
        while ContinuousClock.now < deadline && !Task.isCancelled {
            if let at = seen.withLock({ $0 }) { return at }
            try? await Task.sleep(for: .milliseconds(5))  // ignored: cancellation ends the loop above
        }
        poller.cancel(id)
        return seen.withLock { $0 }
    }

    /// The instant the poller saw `check` hold, or nil (see `awaitSighting`).
    func awaitVisible(within wait: Duration? = nil,
                      _ check: @escaping @Sendable () -> Bool) async -> ContinuousClock.Instant? {
        await awaitSighting(within: wait, check)?.at
    }
}

/// Where one trial works: a directory of its own, made on the server before any trial starts, that
/// no other trial's calls touch. On NFSv3 every LOOKUP reply carries its directory's attributes, so
/// trials sharing a directory would refresh it for each other and shorten what they measure.
struct TrialPlace: Sendable {
    /// The directory holding the trial's directory, open on this node.
    let parent: DirectoryHandle
    /// The trial's directory name in `parent`.
    let directory: String
    /// The trial's directory inside the export.
    let serverDirectory: String
    /// The name the server view creates in it.
    let file: String

    var serverPath: String { serverDirectory + "/" + file }
    var kernelPath: String { parent.path + "/" + directory + "/" + file }
}

/// The order trials start in: round robin over the scenarios, then each trial started again, on its
/// scenario's next spare directory (samples, samples + 1, …; `ProbeRun.spareTrials` per scenario).
struct TrialQueue {
    private var pending: [(scenario: Scenario, index: Int)]
    private var nextSpare: [Scenario: Int]
    private var position = 0
    private let end: Int

    init(_ scenarios: [Scenario], samples: Int) {
        pending = (0..<samples).flatMap { i in scenarios.map { (scenario: $0, index: i) } }
        nextSpare = Dictionary(scenarios.map { ($0, samples) }) { first, _ in first }
        end = samples + ProbeRun.spareTrials
    }

    /// The next trial to start: its scenario and its directory's index.
    mutating func next() -> (scenario: Scenario, index: Int)? {
        guard position < pending.count else { return nil }
        defer { position += 1 }
        return pending[position]
    }

    /// Queues one more trial of `scenario` on its next spare directory; false when none is left.
    mutating func startAgain(_ scenario: Scenario) -> Bool {
        guard let spare = nextSpare[scenario], spare < end else { return false }
        nextSpare[scenario] = spare + 1
        pending.append((scenario, spare))
        return true
    }
}

/// The outcome of one trial.
enum TrialOutcome: Sendable {
    /// Seen `delay` after the server's change; this node had cached what it watched `lag` before
    /// that change, so the delay may fall short of the full cache window by up to `lag`; the poll
    /// that saw it came up to `gap` after the change showed, so the delay may exceed it by that much.
    case visible(delay: Duration, lag: Duration, gap: Duration)
    case neverVisible
    case failed(String)
    case hung
    /// Not watched: the server's change completed `lag` after this node's fetch (more than
    /// `VisibilityProbe.disturbedLag`), so the trial was started again on a spare directory.
    case rerun(lag: Duration)
}

/// A trial whose change the server has just made: what to poll, since when, and when this node
/// last fetched what it caches (its cache window started then).
enum TrialStep: Sendable {
    case watch(cached: ContinuousClock.Instant, since: ContinuousClock.Instant, until: @Sendable () -> Bool)
    case done(TrialOutcome)

    /// How long after this node's fetch the server's change completed; nil once the trial has ended.
    var lag: Duration? {
        if case .watch(let cached, let since, _) = self { since - cached } else { nil }
    }

    /// The trial's end: polled until its change shows (at most `wait`, default the run's max-wait).
    func outcome(_ c: ProbeContext, wait: Duration? = nil) async -> TrialOutcome {
        await end(c, wait: wait).outcome
    }

    /// The end, and whether the first poll after the change already saw it: no cache stood between.
    func end(_ c: ProbeContext, wait: Duration? = nil) async -> (outcome: TrialOutcome, atFirstPoll: Bool) {
        switch self {
        case .done(let outcome): return (outcome, false)
        case .watch(let cached, let since, let check):
            guard let seen = await c.awaitSighting(within: wait, check) else { return (.neverVisible, false) }
            return (.visible(delay: seen.at - since, lag: since - cached, gap: seen.gap), seen.checks == 1)
        }
    }
}

extension Scenario {
    /// One trial, start to end.
    func trial(_ place: TrialPlace, _ c: ProbeContext, wait: Duration? = nil) async -> TrialOutcome {
        await start(place, c).outcome(c, wait: wait)
    }

    /// A trial up to the server's change: open the trial's directory (its attributes are fetched
    /// now, so its cache window starts now: the worst case), prepare this node's cache, change the
    /// server. Callers start trials one after another, so no queue sits between this node's fetch
    /// and the change, which would shorten the figure. Every kernel call is relative to an open
    /// directory and follows no symlink.
    /// Long: one case per scenario, side by side, so that the scenarios compare at a glance.
    func start(_ place: TrialPlace, _ c: ProbeContext) async -> TrialStep {
        // A file this node will cache exists before this node first looks into the directory: the
        // directory's attributes it fetches are then current, and (NFSv3) the LOOKUP that caches
        // the file brings no newer ones that would invalidate it. The quiet case, the worst one.
        if self == .attributeChange || self == .deletion {
            do {
                try await c.server.createExclusive(place.serverPath, mode: [.ownerReadWrite])
                if self == .attributeChange { try await c.server.write(place.serverPath, [0x31]) }
            } catch {
                return .done(.failed(error.description))
            }
        }
        let opened = ContinuousClock.now  // the directory's attributes are fetched from here on
        let dir: DirectoryHandle
        switch place.parent.openDirectory(place.directory) {
        case .success(let d): dir = d
        case .timedOut: return .done(.hung)
        case .failure(let e): return .done(.failed("open \(place.parent.path)/\(place.directory): \(e)"))
        }
        let name = place.file
        // `try?` flattens: nil for ENOENT and for any other errno alike; only a clean ENOENT is "gone".
        // A failed poll reads as not there yet; the watchdog catches a mount that stops answering.
        let exists: @Sendable () -> Bool = { (try? dir.pollStatus(of: name).get()) != nil }
        // Likewise: a failed poll reads as no size yet.
        let size: @Sendable () -> UInt64? = { (try? dir.pollStatus(of: name).get())?.size }
        let gone: @Sendable () -> Bool = { if case .success(nil) = dir.pollStatus(of: name) { true } else { false } }
        do {
            switch self {
            case .negativeLookup:
                // Look the name up first: the kernel now holds "no such file" for it.
                switch dir.status(of: name) {
                case .success(nil): break
                case .timedOut: return .done(.hung)
                case .success: return .done(.failed("\(place.kernelPath) exists before the server made it"))
                case .failure(let e): return .done(.failed("lstat \(place.kernelPath): \(e)"))
                }
                try await c.server.createExclusive(place.serverPath, mode: [.ownerReadWrite])
                return .watch(cached: opened, since: .now, until: exists)
            case .freshName:
                try await c.server.createExclusive(place.serverPath, mode: [.ownerReadWrite])
                return .watch(cached: opened, since: .now, until: exists)
            case .listing:
                try await c.server.createExclusive(place.serverPath, mode: [.ownerReadWrite])
                let (parent, directory) = (place.parent, place.directory)
                return .watch(cached: opened, since: .now) {
                    parent.pollNames(inSubdirectory: directory)?.contains(name) == true
                }
            case .attributeChange:
                // Cache the one-byte size on this node first: the file's window starts when it shows.
                guard let cached = await c.awaitVisible({ size() == 1 }) else {
                    return .done(.failed("\(place.kernelPath) never showed its first byte"))
                }
                _ = try await c.server.append(place.serverPath, [0x32])
                return .watch(cached: cached, since: .now) { size() == 2 }
            case .deletion:
                // Both the directory's window (from `opened`) and the file's can reveal the removal.
                guard await c.awaitVisible(exists) != nil else {
                    return .done(.failed("\(place.kernelPath) never appeared"))
                }
                try await c.server.unlink(place.serverPath)
                return .watch(cached: opened, since: .now, until: gone)
            }
        } catch {
            return .done(.failed(error.description))
        }
    }
}
