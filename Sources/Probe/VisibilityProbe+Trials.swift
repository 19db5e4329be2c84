import Foundation
import Histogram
import Mounts
import Reports

extension VisibilityProbe {
    /// All scenarios at once, each trial started at its own offset across `spread`, so the wall
    /// time is about one cache window, not samples × window. A watchdog ends the run when a
    /// kernel call hangs; cancellation (SIGINT/SIGTERM) ends it at the next check.
    static func runTrials(_ r: ProbeRequest, _ c: ProbeContext, spread: Duration,
                          report: inout ProbeReport) async -> [Scenario: [TrialOutcome]] {
        let total = r.samples * r.scenarios.count
        let start = ContinuousClock.now
        let counter = Counter()
        let outcomes = await withTaskGroup(of: (Scenario, TrialOutcome)?.self) { group in
            for scenario in r.scenarios {
                for i in 0..<r.samples {
                    let offset = spread * Double(i) / Double(r.samples)
                    group.addTask {
                        try? await Task.sleep(until: start.advanced(by: offset), clock: .continuous)
                        if Task.isCancelled { return nil }
                        let outcome = await scenario.trial(i, c)
                        counter.increment()
                        return (scenario, outcome)
                    }
                }
            }
            group.addTask {  // watchdog and progress
                while counter.value < total && !Task.isCancelled {
                    if let stuck = c.poller.stuck, stuck > r.timeout { return (r.scenarios[0], .hung) }
                    r.progress?(ProbeProgress(elapsed: ContinuousClock.now - start, expected: spread + c.maxWait,
                                              done: counter.value, total: total))
                    try? await Task.sleep(for: .milliseconds(250))
                }
                return nil
            }
            var collected: [Scenario: [TrialOutcome]] = [:]
            for await item in group {
                guard let (scenario, outcome) = item else { continue }
                if case .hung = outcome { group.cancelAll() }
                collected[scenario, default: []].append(outcome)
            }
            return collected
        }
        if outcomes.values.joined().contains(where: { if case .hung = $0 { true } else { false } }) {
            report.findings.append(Finding(.crit, "hung", subject: r.share,
                                           "a call on \(r.share) did not return within \(r.timeout): the mount hangs (hard mount, server unreachable?)",
                                           fix: "check the server: nfskeeper server URL"))
        }
        return outcomes
    }

    static func summarize(_ outcomes: [Scenario: [TrialOutcome]], _ r: ProbeRequest, options: NFSMountOptions?,
                          into report: inout ProbeReport) {
        for scenario in r.scenarios {
            let list = outcomes[scenario] ?? []
            var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
            var never = 0
            for outcome in list {
                switch outcome {
                case .visible(let d): _ = histogram.record(UInt64(max(0, d.seconds * 1e6)))
                case .neverVisible: never += 1
                case .failed(let why):
                    report.findings.append(Finding(.warn, "trial", subject: r.share, "\(scenario.rawValue): \(why)"))
                case .hung: break
                }
            }
            let predicted = options.map { scenario.predictedWindow($0) }
            let seen = histogram.totalCount > 0
            func q(_ p: Double) -> Double? { seen ? Double(histogram.valueAtPercentile(p)) / 1e6 : nil }
            let (verdict, severity) = judge(scenario, p95: q(95), max: seen ? Double(histogram.max) / 1e6 : nil,
                                            never: never, predicted: predicted, target: r.targetDelay, maxWait: report.maxWaitSeconds)
            report.scenarios.append(ScenarioResult(
                scenario: scenario, samples: list.count, neverVisible: never, minSeconds: seen ? Double(histogram.min) / 1e6 : nil,
                medianSeconds: q(50), p95Seconds: q(95), maxSeconds: seen ? Double(histogram.max) / 1e6 : nil,
                predictedSeconds: predicted, verdict: verdict, severity: severity))
        }
    }

    static func judge(_ s: Scenario, p95: Double?, max: Double?, never: Int, predicted: Int?, target: Double,
                      maxWait: Double) -> (String, Severity) {
        if never > 0 {
            return ("\(never) never visible within \(formatSeconds(maxWait))", s.hurts ? .crit : .warn)
        }
        guard let p95, let max else { return ("no samples", .unknown) }
        var words: [String] = []
        if let predicted {
            let margin = 0.5 + Double(predicted) * 0.1
            words.append(max <= Double(predicted) + margin ? "within the \(predicted) s the options allow"
                                                           : "slower than the \(predicted) s the options allow (a server-side cache?)")
        }
        let late = p95 > target
        words.append(late ? "p95 \(formatSeconds(p95)) over the \(formatSeconds(target)) target" : "p95 within the \(formatSeconds(target)) target")
        return (words.joined(separator: "; "), late && s.hurts ? .warn : .ok)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
    func increment() { lock.lock(); n += 1; lock.unlock() }
}
