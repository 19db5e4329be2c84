import ServerView
import ServerSurvey
import Mounts
import FoundationGaps
import Check
import Probe
import Reports

extension AuditReport {
    /// `audit --nagios`: the worst finding as the status line, the measured figures as perfdata with
    /// the audit's own thresholds (warn: the target delay; crit: never visible within max-wait).
    public func nagios(targetDelay: Double) -> NagiosOutput {
        var perf: [NagiosOutput.PerfDatum] = []
        for share in shares {
            let prefix = shares.count > 1 ? (share.check?.mountPoint ?? share.path) + " " : ""
            perf += share.perfdata(prefix: prefix, targetDelay: targetDelay)
        }
        let all = findings + shares.flatMap(\.findings)
        perf.append(.init("findings_crit", Double(all.filter { $0.severity == .crit }.count), crit: "0", min: "0"))
        perf.append(.init("findings_warn", Double(all.filter { $0.severity == .warn }.count), warn: "0", min: "0"))
        let okSummary = "\(shares.count) share(s) audited (\(mode)), nothing to report"
        var out = NagiosOutput(findings: all, okSummary: okSummary, perfdata: perf)
        out.severity = severity  // the exit code the audit has always had
        return out
    }
}

extension ShareAudit {
    func perfdata(prefix: String, targetDelay: Double) -> [NagiosOutput.PerfDatum] {
        var perf: [NagiosOutput.PerfDatum] = []
        let maxWait = probe?.maxWaitSeconds ?? 0
        let crit = maxWait > 0 ? NagiosOutput.PerfDatum.number(maxWait) : ""
        let target = NagiosOutput.PerfDatum.number(targetDelay)
        for (scenario, label) in [(Scenario.negativeLookup, "neg_lookup_p95"), (.listing, "listing_p95")] {
            guard let s = probe?.scenarios.first(where: { $0.scenario == scenario }) else { continue }
            perf.append(.init(prefix + label, s.p95Seconds ?? .nan, unit: "s", warn: target, crit: crit, min: "0"))
            perf.append(
                .init(
                    prefix + label.replacingEvery("_p95", with: "_never_visible"), Double(s.neverVisible),
                    crit: "0", min: "0"))
        }
        if let first = probe?.firstVerdict {
            perf.append(.init(prefix + "first_verdict_hides", first.hidesNewFile ? 1 : 0, min: "0", max: "1"))
        }
        if let window = check?.effective?.negativeLookupWindow.upperBound {
            perf.append(.init(prefix + "neg_lookup_window", Double(window), unit: "s", warn: target, min: "0"))
        }
        if let clock = server?.clock {
            perf.append(.init(prefix + "clock_offset", clock.offsetSeconds, unit: "s", warn: "-1:1", crit: "-30:30"))
        }
        if let rt = server?.roundTrip {
            perf.append(.init(prefix + "round_trip", rt.medianSeconds, unit: "s", min: "0"))
        }
        if let ok = scratchDirectoryOK {
            perf.append(.init(prefix + "scratch_ok", ok ? 1 : 0, crit: "1:", min: "0", max: "1"))
        }
        return perf
    }
}
