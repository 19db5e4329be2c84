import SystemPackage
import Audit
import Fleet
import FoundationEssentials
import KernelView
import Mounts
import NFSModel
import Reports
import Synchronization

/// What `nfskeeper watch` is asked to do.
public struct WatchRequest: Sendable {
    public var share: String
    public var node: NodeName
    public var schedule = WatchSchedule(period: .seconds(10))
    /// Poll period of a canary awaited by name: the resolution of every delay.
    public var interval: Duration = .milliseconds(100)
    /// How long a canary is awaited before it counts as never seen (and how long a writer keeps it).
    public var maxWait: Duration = .seconds(90)
    /// A writer whose canaries have all gone unseen this long is gone: its canaries are removed.
    public var staleAge: Duration = .seconds(600)
    public var timeout: Duration = .seconds(10)
    /// node_exporter textfile (`…/nfskeeper_watch.prom`), rewritten atomically every period.
    public var textfile: String?
    /// Stop after this long (tests, one-off runs); nil: until SIGTERM.
    public var duration: Duration?
    public var mountStatsPath = "/proc/self/mountstats"
    public var mountInfoPath = "/proc/self/mountinfo"
    /// One line per event worth a journal entry (a pair's first sighting, a hung mount, a writer gone).
    public var log: (@Sendable (String) -> Void)?

    public init(share: String, node: NodeName) { (self.share, self.node) = (share, node) }
}

/// What the watch saw: per pair of nodes (writer → this node), and its own cost.
public struct WatchReport: Sendable, Codable {
    public var command = "watch"
    public var share: String
    public var node: String
    public var periodSeconds: Double
    public var wallSeconds = 0.0
    public var canariesWritten = 0
    /// Server minus this node, from the last canary's mtime (± half its create's round trip).
    public var clockOffsetSeconds: Double?
    public var pairs: [PairDelays] = []
    /// RPCs of this mount per period while watching (mountstats), every process's included.
    public var rpcsPerPeriod: Double?
    public var findings: [Finding] = []
    public var severity: Severity { findings.worst }
}

/// `nfskeeper watch`: every period this node makes its canary for the slot and awaits every other
/// watcher's next canary by name, through this node's kernel mount (`WatchSchedule`).
public final class Watcher: @unchecked Sendable {
    let r: WatchRequest
    let kernel: KernelView
    let poller: KernelPoller
    /// `.nfskeeper/watch-summaries`, where `fleet` reads every node's pairs; opened once.
    var summaries: DirectoryHandle?
    /// When the summary was last written (server clock), and what it held (sightings + misses).
    var summaryWritten: (at: Double, events: Int)?
    var report: WatchReport
    var own: DirectoryHandle?
    var watchDirectory: DirectoryHandle?
    var writers: [String: WriterState] = [:]
    var offset = 0.0
    var lastSlot: Int64?
    var discoveredSlot: Int64?
    var written: [Int64] = []
    var hungSince: ContinuousClock.Instant?
    let sightings = Mutex<[Sighting]>([])
    let clock = ContinuousClock()
    /// This node's realtime clock at a monotonic instant: sightings are timed by the poller's monotonic clock.
    let started = (mono: ContinuousClock.now, real: Date().timeIntervalSince1970)

    struct WriterState {
        var directory: DirectoryHandle
        var delays: PairDelays
        /// The slot whose canary is looked up and awaited, and the poller's watch of it.
        var awaiting: (slot: Int64, watch: Int)?
        /// The last slot this writer's canary was seen in (or, at first, when watching began).
        var lastSeen: Double
    }

    public init(_ request: WatchRequest) {
        r = request
        kernel = KernelView(timeout: request.timeout)
        poller = KernelPoller(interval: request.interval)
        report = WatchReport(share: request.share, node: request.node.rawValue,
                             periodSeconds: request.schedule.period.seconds)
    }

    /// Runs until cancelled (SIGTERM) or `duration`; then removes this node's canaries and directory.
    public func run() async -> WatchReport {
        let begin = clock.now
        defer { poller.stop() }
        guard prepare() else { return report }
        let statsBefore = readStats()
        var periods = 0
        while !Task.isCancelled, r.duration.map({ clock.now - begin < $0 }) ?? true,
              !report.findings.contains(where: { $0.rule == "watch-name-taken" }) {
            if tick() { periods += 1 }
            try? await Task.sleep(for: r.interval)
        }
        if let before = statsBefore, let after = readStats(), periods > 0 {
            let ops = before.delta(to: after).operations.values.reduce(0, +)
            report.rpcsPerPeriod = Double(ops) / Double(periods)
        }
        finish()
        report.wallSeconds = (clock.now - begin).seconds
        report.pairs = writers.values.map(\.delays).sorted { $0.writer < $1.writer }
        return report
    }

    // MARK: steps

    func fail(_ rule: Rule, _ message: String) {
        report.findings.append(Finding(.crit, rule, subject: r.share, message))
    }

    /// The share opened without following a symlink, `.nfskeeper/watch/<node>` made, a killed run's
    /// canaries removed, and the clock offset read from a first canary-like file.
    func prepare() -> Bool {
        let nodeDirectory = NodeDirectory(share: r.share, kernel: kernel)
        let opened = nodeDirectory.subdirectory(WatchSchedule.directory, create: true)
        guard case .success(let dir) = opened else {
            fail(opened.isTimedOut ? "hung" : "share",
                 "\(MountTable.normalize(r.share))/.nfskeeper/\(WatchSchedule.directory): \(opened)")
            return false
        }
        guard case .success(let mine) = dir.openOrMakeDirectory(r.node.rawValue) else {
            fail("share", "could not make \(dir.path)/\(r.node.rawValue)")
            return false
        }
        (watchDirectory, own) = (dir, mine)
        summaries = nodeDirectory.openWatchSummaries().value
        removeOwnCanaries()  // a killed run's
        return true
    }

    /// One poll round of the main loop; true when a new slot began (this node made its canary).
    func tick() -> Bool {
        if let since = hungSince {
            guard clock.now - since > r.schedule.period else { return false }
            hungSince = nil  // try again, one call, once a period
        }
        let now = serverNow()
        let slot = r.schedule.slot(at: now)
        var began = false
        if slot != lastSlot {
            lastSlot = slot
            began = makeCanary(slot)
            writeMetrics(now)
            publishSummary(now)
        }
        collectSightings()
        for name in writers.keys { step(name, now: serverNow(), slot: slot) }
        discoverOncePerSlot(slot, now: now)
        return began
    }

    /// A listing of watch/ brings every writer directory's attributes (READDIRPLUS, NFSv4 READDIR): it would
    /// end an awaited canary's negative dentry early, so it waits, once a slot, for a moment none is awaited;
    /// after `forcedDiscovery` slots without one it lists anyway (a busy fleet must still find new nodes).
    func discoverOncePerSlot(_ slot: Int64, now: Double) {
        guard discoveredSlot != slot else { return }
        let idle = !writers.values.contains { $0.awaiting != nil }
        guard idle || discoveredSlot.map({ slot - $0 >= Self.forcedDiscovery }) ?? true else { return }
        discoverWriters(now)
        discoveredSlot = slot
    }

    static let forcedDiscovery: Int64 = 10

    func serverNow() -> Double { Date().timeIntervalSince1970 + offset }

    /// This slot's canary, created exclusively (0600) through this node's mount; its mtime, set by the
    /// server, corrects this node's clock. Canaries past every reader's wait are removed.
    func makeCanary(_ slot: Int64) -> Bool {
        guard let own else { return false }
        let name = WatchSchedule.canaryName(slot)
        let before = Date().timeIntervalSince1970
        let made = own.createStamped(name, mode: 0o600)
        let after = Date().timeIntervalSince1970
        switch made {
        case .success(let st):
            if after - before < 1 { offset = st.mtime - (before + after) / 2 }
            report.clockOffsetSeconds = offset
            report.canariesWritten += 1
            written.append(slot)
        case .timedOut:
            written.append(slot)  // it may go through once the mount answers: aged out as the others
            return hung("making canary \(name)")
        case .failure(.fileExists):
            // A killed run's canaries went at the start: another watcher makes this node's canaries.
            fail("watch-name-taken", "\(own.path)/\(name) exists: another watch of this share runs under the "
                 + "node name \(r.node) (a second instance here, or another node with this name): stopped")
            return false
        case .failure(let errno): log("could not make canary \(own.path)/\(name): \(errno)")
        }
        let keep = Int64((r.maxWait + r.schedule.period).seconds / r.schedule.period.seconds) + 1
        while let oldest = written.first, oldest < slot - keep {
            _ = own.removeFile(WatchSchedule.canaryName(oldest))
            written.removeFirst()
        }
        return true
    }

    /// Every canary in this node's own directory: the ones listed, and a create that timed out but went
    /// through once the mount answered again.
    func removeOwnCanaries() {
        guard let own else { return }
        for name in own.entryNames().value ?? [] where WatchSchedule.slot(ofCanary: name) != nil {
            _ = own.removeFile(name)
        }
        written.removeAll()
    }

    func hung(_ what: String) -> Bool {
        hungSince = clock.now
        let message = "\(what) did not return within \(r.timeout): the mount hangs (hard mount, server down?)"
        if !report.findings.contains(where: { $0.rule == "hung" }) {
            report.findings.append(Finding(.crit, "hung", subject: r.share, message))
        }
        log(message)
        return false
    }

    func log(_ line: String) { r.log?(line) }
}

extension KernelView.Outcome {
    var isTimedOut: Bool { if case .timedOut = self { true } else { false } }
}
