import Foundation
import KernelView
import Synchronization
import Testing

/// A sighting's gap brackets the moment a change showed: a probe figure is late by at most the gap.
@Suite struct KernelPollerTests {
    /// Watches a flag another thread sets at a known instant; every check takes `checkTakes`.
    func sighting(
        checkTakes: Duration, flagAfter: Duration
    ) async throws -> (KernelPoller.Sighting, ContinuousClock.Instant) {
        let poller = KernelPoller(interval: .milliseconds(10))
        defer { poller.stop() }
        let flag = Atomic<Bool>(false)
        let seen = Mutex<KernelPoller.Sighting?>(nil)
        poller.watch({
            let now = flag.load(ordering: .acquiring)  // read first: the check's answer is its start's state
            Thread.sleep(forTimeInterval: checkTakes.seconds)
            return now
        }, done: { s in seen.withLock { $0 = s } })
        try await Task.sleep(for: flagAfter)
        let shown = ContinuousClock.now
        flag.store(true, ordering: .releasing)
        while seen.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(5)) }
        return (try #require(seen.withLock { $0 }), shown)
    }

    @Test func theGapOfAFastCheckIsAboutThePollPeriod() async throws {
        let (s, shown) = try await sighting(checkTakes: .zero, flagAfter: .milliseconds(200))
        #expect(s.at - s.gap <= shown && shown <= s.at, "gap \(s.gap), seen \(s.at - shown) after")
        #expect(s.gap < .milliseconds(100), "\(s.gap)")
    }

    @Test func aSlowCheckWidensTheGap() async throws {
        // Two checks at 300 ms each: the flag set mid-check shows only at the next one's end.
        let (s, shown) = try await sighting(checkTakes: .milliseconds(300), flagAfter: .milliseconds(450))
        #expect(s.at - s.gap <= shown && shown <= s.at, "gap \(s.gap), seen \(s.at - shown) after")
        #expect(s.gap >= .milliseconds(600), "\(s.gap)")
    }
}
