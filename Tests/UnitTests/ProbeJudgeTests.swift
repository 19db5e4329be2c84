import Testing
@testable import Probe
import Reports

/// A verdict compares the figures it shows, never the hidden digits behind them.
@Suite struct ProbeJudgeTests {
    func result(p95: Double, max: Double, predicted: Int? = 60) -> ScenarioResult {
        ScenarioResult(scenario: .negativeLookup, samples: 8, neverVisible: 0, minSeconds: p95, medianSeconds: p95,
                       p95Seconds: p95, maxSeconds: max, predictedSeconds: predicted, verdict: "", severity: .ok)
    }

    @Test func aP95ShownAsTheTargetIsWithinIt() {
        let (verdict, severity) = VisibilityProbe.judge(result(p95: 5.004, max: 5.004), target: 5, maxWait: 74)
        #expect(verdict.contains("p95 within the 5.00 s target") && severity == .ok)
        #expect(!verdict.contains("5.00 s over the 5.00 s"))
    }

    @Test func aP95ShownAboveTheTargetIsAWarning() {
        let (verdict, severity) = VisibilityProbe.judge(result(p95: 5.006, max: 5.006), target: 5, maxWait: 74)
        #expect(verdict.contains("p95 5.01 s over the 5.00 s target") && severity == .warn)
    }

    @Test func neverVisibleIsCriticalForTheCaseThatHurts() {
        var r = result(p95: 1, max: 1)
        r.neverVisible = 2
        #expect(VisibilityProbe.judge(r, target: 5, maxWait: 6).1 == .crit)
    }

    @Test func shownRoundsAsFormatSecondsPrints() {
        #expect(secondsAsShown(5.004) == 5.0)
        #expect(secondsAsShown(0.0123) == 0.0123)
        #expect(abs(secondsAsShown(0.01234) - 0.0123) < 1e-12)
        #expect(secondsAsShown(0.0004567) == 0.000457 && formatSeconds(0.0004567) == "457 µs")
    }
}

/// Trials start round robin; one started again goes to the back, on its scenario's next spare directory.
@Suite struct TrialQueueTests {
    @Test func startedAgainGoesToTheBackOnTheNextSpareUntilNoneIsLeft() {
        var queue = TrialQueue([.negativeLookup, .listing], samples: 2)
        var order: [String] = []
        while let (scenario, index) = queue.next() {
            order.append("\(scenario.rawValue)/\(index)")
            // Every negative-lookup start is disturbed: it is queued again while spares last.
            if scenario == .negativeLookup, queue.startAgain(scenario) { order.append("again") }
        }
        #expect(order == [
            "negative-lookup/0", "again", "listing/0", "negative-lookup/1", "again", "listing/1",
            "negative-lookup/2", "again", "negative-lookup/3", "negative-lookup/4",
        ])
        #expect(ProbeRun.spareTrials == 3, "the order above uses three spares")
    }
}
