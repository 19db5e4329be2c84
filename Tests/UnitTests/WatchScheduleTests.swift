import Audit
import Testing
@testable import Watch

/// The watch's names and slots (what every node computes alike) and its per-pair figures.
@Suite struct WatchScheduleTests {
    @Test func slotsAreOnTheServersClockAndNamesRoundTrip() {
        let s = WatchSchedule(period: .seconds(10))
        #expect(s.slot(at: 1_796_000_009.99) == 179_600_000 && s.slot(at: 1_796_000_010) == 179_600_001)
        #expect(s.start(of: 179_600_001) == 1_796_000_010)
        #expect(WatchSchedule.canaryName(179_600_001) == "canary-179600001")
        #expect(WatchSchedule.slot(ofCanary: "canary-179600001") == 179_600_001)
        #expect(s.lead == 0.5 && WatchSchedule(period: .seconds(1)).lead == 0.25)
    }

    @Test func aCanarysMtimeCountsOnlyWithinItsSlot() {
        let s = WatchSchedule(period: .seconds(10))
        #expect(s.madeTime(ofCanary: 179_600_001, mtime: 1_796_000_010.04) == 1_796_000_010.04)
        #expect(s.madeTime(ofCanary: 179_600_001, mtime: 1_796_000_001) == 1_796_000_001)
        // An exclusive create's verifier, still in the times: the slot's start.
        #expect(s.madeTime(ofCanary: 179_600_001, mtime: 12_345.678) == 1_796_000_010)
        #expect(s.madeTime(ofCanary: 179_600_001, mtime: 1_796_000_020.5) == 1_796_000_010)
    }

    @Test(arguments: ["canary-", "canary--1", "canary-+1", "canary-1x", "canary-" + String(repeating: "9", count: 20),
                      "canary-١٢", "x-canary-1", ".canary-1", "canary-99999999999999999999"])
    func hostileNamesAreNoCanaries(_ name: String) {
        #expect(WatchSchedule.slot(ofCanary: name) == nil)
    }

    @Test func writersAreNodeNamesOnly() {
        #expect(WatchSchedule.watcher("node-b.example") != nil)
        for bad in ["", ".", "..", "-x", "a/b", String(repeating: "a", count: 65), "é"] {
            #expect(WatchSchedule.watcher(bad) == nil, "\(bad)")
        }
    }

    @Test func aPairIsOneHistogramInTheExpositionFormat() {
        var p = PairDelays(writer: "a", reader: "b")
        for d in [0.05, 5.9, 29.5] { p.record(d) }
        var text = PrometheusText(constantLabels: [("share", "/s")])
        p.metrics(into: &text)
        let lines = text.text.split(separator: "\n").map(String.init)
        let name = "nfskeeper_visibility_pair_seconds"
        #expect(lines.filter { $0 == "# TYPE \(name) histogram" }.count == 1)
        let labels = #"share="/s",writer="a",reader="b""#
        for line in [#"_bucket{\#(labels),le="0.1"} 1"#, #"_bucket{\#(labels),le="7.5"} 2"#,
                     #"_bucket{\#(labels),le="90"} 3"#, #"_bucket{\#(labels),le="+Inf"} 3"#,
                     "_sum{\(labels)} 35.45", "_count{\(labels)} 3"] {
            #expect(lines.contains(name + line), "\(line) in\n\(text.text)")
        }
        #expect(lines.filter { $0.hasPrefix(name + "_bucket") }.count == PairDelays.buckets.count + 1)
    }

    @Test func delaysFillCumulativeBucketsAndNegativeOnesCountAsZero() {
        var p = PairDelays(writer: "a", reader: "b")
        for d in [0.05, 5.9, 29.5, -0.01] { p.record(d) }
        #expect(p.seen == 4 && p.minSeconds == 0 && p.maxSeconds == 29.5 && p.lastSeconds == 0)
        let count = { (le: Double) in p.bucketCounts[PairDelays.buckets.firstIndex(of: le)!] }
        #expect(count(0.1) == 2 && count(5) == 2 && count(7.5) == 3 && count(30) == 4 && count(90) == 4)
    }
}
