import NFSModel
import KernelView
import FoundationEssentials
import Histogram
import Mounts
import Reports
import Synchronization

extension VisibilityProbe {
    /// How long the first verdict watches its primed name: several round trips, and short enough
    /// to answer at once. A mount that shows the file later than this hides it.
    public static let firstVerdictWait = Duration.seconds(1)

    /// One primed negative lookup, watched for `firstVerdictWait`: does this mount hide another
    /// node's new file under a name it already looked up? It does when the first poll after the server
    /// made the name misses it: without a cache that poll's LOOKUP finds it, however slow the node, while
    /// a verdict by time alone would miss a short window that the node's own slowness had used up.
    static func firstVerdict(
        _ r: ProbeRequest, _ run: ProbeRun, _ c: ProbeContext, options: NFSMountOptions?,
        started: ContinuousClock.Instant, into report: inout ProbeReport
    ) async -> FirstVerdict? {
        guard let place = run.place(ProbeRun.firstVerdict, 0, prefix: c.namePrefix) else { return nil }
        let (outcome, atFirstPoll) = await Scenario.negativeLookup.start(place, c).end(c, wait: firstVerdictWait)
        var verdict = FirstVerdict(
            hidesNewFile: false, watchedSeconds: firstVerdictWait.seconds, seenAfterSeconds: nil,
            tookSeconds: (ContinuousClock.now - started).seconds,
            predictedSeconds: options.map { Scenario.negativeLookup.predictedWindow($0) })
        switch outcome {
        case .visible(let delay, _, _): (verdict.seenAfterSeconds, verdict.hidesNewFile) = (delay.seconds, !atFirstPoll)
        case .neverVisible: verdict.hidesNewFile = true
        case .hung:
            report.failHung(r, run)
            return nil
        case .failed(let why):
            report.findings.append(Finding(.warn, "trial", subject: r.share, "first verdict: \(why)"))
            return nil
        case .rerun: return nil  // never: only runTrials starts a trial again
        }
        report.firstVerdict = verdict
        // In a full run the negative-lookup figures judge; the verdict alone judges only a quick one.
        if r.quick || !r.scenarios.contains(.negativeLookup),
            let finding = verdict.finding(share: r.share, targetDelay: r.targetDelay)
        {
            report.findings.append(finding)
        }
        return verdict
    }

    /// A trial whose server change completed longer than this after this node's fetch is started again
    /// (at most `ProbeRun.spareTrials` times per scenario): its delay would fall short of the window by
    /// that lag, which measures a slow server or a stalled node, not the cache. Milliseconds when idle.
    public static let disturbedLag = Duration.seconds(1)

    /// Every trial of every scenario at once, each in its own directory, so the wall time is about
    /// one cache window, not samples × window. A watchdog ends the run when a kernel call hangs;
    /// cancellation (SIGINT/SIGTERM) ends it at the next check.
    /// Long: the watchdog, the start of every trial and the collection share one task group.
    static func runTrials(
        _ r: ProbeRequest, _ run: ProbeRun, _ c: ProbeContext, expected: Duration,
        isBound: Bool, report: inout ProbeReport
    ) async -> [Scenario: [TrialOutcome]] {
        enum Event: Sendable { case outcome(Scenario, TrialOutcome), hung, cancelled }
        let total = r.samples * r.scenarios.count
        let start = ContinuousClock.now
        let done = TrialCounter()
        let (outcomes, hung) = await withTaskGroup(of: Event.self) { group in
            group.addTask {  // watchdog and progress
                while done.count.load(ordering: .relaxed) < total && !Task.isCancelled {
                    if let stuck = c.poller.stuck, stuck > r.timeout { return .hung }
                    r.progress?(
                        ProbeProgress(
                            elapsed: ContinuousClock.now - start, expected: expected,
                            isBound: isBound, done: done.count.load(ordering: .relaxed),
                            total: total))
                    try? await Task.sleep(for: .milliseconds(250))  // ignored: cancellation ends the loop
                }
                return .cancelled
            }
            // Started one after another; watched all at once.
            var queue = TrialQueue(r.scenarios, samples: r.samples)
            while let (scenario, index) = queue.next() {
                // A stuck poller or a cancellation: the watchdog ends the run and reports it.
                if Task.isCancelled || (c.poller.stuck.map { $0 > r.timeout } ?? false) { break }
                let step =
                    if let place = run.place(scenario.rawValue, index, prefix: c.namePrefix) {
                        await scenario.start(place, c)
                    } else {
                        TrialStep.done(.failed("\(scenario.rawValue)/\(index): the trial's directory was not opened"))
                    }
                if let lag = step.lag, lag > disturbedLag, queue.startAgain(scenario) {
                    group.addTask { .outcome(scenario, .rerun(lag: lag)) }
                    continue
                }
                group.addTask {
                    let outcome = await step.outcome(c)
                    done.count.add(1, ordering: .relaxed)
                    return .outcome(scenario, outcome)
                }
            }
            var collected: [Scenario: [TrialOutcome]] = [:]
            var hung = false
            for await event in group {
                switch event {
                case .outcome(_, .hung), .hung: hung = true; group.cancelAll()
                case .outcome(let scenario, let outcome): collected[scenario, default: []].append(outcome)
                case .cancelled: break
                }
            }
            return (collected, hung)
        }
        if hung { report.failHung(r, run) }
        return outcomes
    }

    static func summarize(
        _ outcomes: [Scenario: [TrialOutcome]], _ r: ProbeRequest, options: NFSMountOptions?,
        into report: inout ProbeReport
    ) {
        for scenario in r.scenarios {
            let list = outcomes[scenario] ?? []
            var histogram = Histogram<UInt64>(
                highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
            var never = 0
            var failures: [String] = []
            var lag = Duration.zero
            var gap = Duration.zero
            var reruns = 0
            for outcome in list {
                switch outcome {
                case .visible(let delay, let l, let g):
                    _ = histogram.record(UInt64(max(0, delay.seconds * 1e6)))
                    lag = max(lag, l)
                    gap = max(gap, g)
                case .neverVisible: never += 1
                case .failed(let why): failures.append(why)
                case .hung: break
                case .rerun: reruns += 1
                }
            }
            let trials = list.count - reruns
            if let first = failures.first {  // one finding per scenario; nothing measured is critical
                let more = failures.count > 1 ? " (and \(failures.count - 1) more trials failed)" : ""
                report.findings.append(
                    Finding(
                        failures.count == trials ? .crit : .warn, "trial", subject: r.share,
                        "\(scenario.rawValue): \(first)\(more)"))
            }
            let seen = histogram.totalCount > 0
            func q(_ p: Double) -> Double? { seen ? Double(histogram.valueAtPercentile(p)) / 1e6 : nil }
            var result = ScenarioResult(
                scenario: scenario, samples: trials, neverVisible: never,
                minSeconds: seen ? Double(histogram.min) / 1e6 : nil,
                medianSeconds: q(50), p95Seconds: q(95), maxSeconds: seen ? Double(histogram.max) / 1e6 : nil,
                predictedSeconds: options.map { scenario.predictedWindow($0) }, maxLagSeconds: lag.seconds,
                maxPollGapSeconds: seen ? gap.seconds : nil, rerunTrials: reruns, verdict: "", severity: .ok)
            (result.verdict, result.severity) = judge(result, target: r.targetDelay, maxWait: report.maxWaitSeconds)
            result.verdict += disturbance(reruns: reruns, keptLag: lag)
            report.scenarios.append(result)
            if result.severity >= .warn && failures.count < trials {
                report.findings.append(
                    Finding(
                        result.severity, "visibility", subject: r.share,
                        "\(scenario.rawValue): \(result.verdict)"))
            }
        }
    }

    /// What the verdict adds when trials were started again, or kept although disturbed (no spare left).
    static func disturbance(reruns: Int, keptLag: Duration) -> String {
        var words = ""
        if reruns > 0 {
            words += "; \(reruns) started again (the server's change came over \(formatSeconds(disturbedLag.seconds)) "
                + "after this node's fetch)"
        }
        if keptLag > disturbedLag {
            words += "; figures may fall short of the window by up to \(formatSeconds(keptLag.seconds)) "
                + "(a slow server or a stalled node)"
        }
        return words
    }

    /// A scenario's verdict; every comparison is made on the figures as they are shown.
    static func judge(_ s: ScenarioResult, target: Double, maxWait: Double) -> (String, Severity) {
        if s.neverVisible > 0 {
            let verdict = "\(s.neverVisible) never visible within \(formatSeconds(maxWait))"
            return (verdict, s.scenario.hurts ? .crit : .warn)
        }
        guard let p95 = s.p95Seconds.map(secondsAsShown), let max = s.maxSeconds.map(secondsAsShown) else {
            return ("no samples", .unknown)
        }
        var words: [String] = []
        if let predicted = s.predictedSeconds {
            let margin = 0.5 + Double(predicted) * 0.1
            words.append(
                max <= Double(predicted) + margin
                    ? "within the \(predicted) s the options allow"
                    : "slower than the \(predicted) s the options allow (a server-side cache?)")
        }
        let late = p95 > secondsAsShown(target)
        words.append(
            late
                ? "p95 \(formatSeconds(p95)) over the \(formatSeconds(target)) target"
                : "p95 within the \(formatSeconds(target)) target")
        return (words.joined(separator: "; "), late && s.scenario.hurts ? .warn : .ok)
    }
}

extension FirstVerdict {
    /// How long the name stayed hidden: "hidden for 0.93 s", or "not visible after 1.00 s".
    public var hiddenFor: String {
        seenAfterSeconds.map { "hidden for \(formatSeconds($0))" }
            ?? "not visible after \(formatSeconds(watchedSeconds))"
    }

    /// A finding when the mount hides the file: a warning when the options let it hide longer than
    /// the target (or are unknown), information otherwise.
    func finding(share: String, targetDelay: Double) -> Finding? {
        guard hidesNewFile else { return nil }
        let window = predictedSeconds.map { "the options allow up to \($0) s" } ?? "the window is unknown (not NFS)"
        let severity: Severity = (predictedSeconds.map { Double($0) > targetDelay } ?? true) ? .warn : .info
        return Finding(
            severity, "first-verdict", subject: share,
            "this mount hides another node's new file under a name it already looked up: \(hiddenFor); \(window)",
            fix: "nfskeeper advise \(share)")
    }
}

/// Trials finished so far, shared by the trial tasks and the watchdog.
final class TrialCounter: Sendable {
    let count = Atomic<Int>(0)
}
