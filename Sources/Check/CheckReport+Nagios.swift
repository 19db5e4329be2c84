import Mounts
import Reports

extension CheckReport {
    /// `check --nagios`: the worst finding as the status line; per mount, the longest delay its options
    /// allow for another node's new file (warn above the target delay) and its drifted options.
    public func nagios(targetDelay: Int) -> NagiosOutput {
        var perf: [NagiosOutput.PerfDatum] = []
        for m in mounts {
            let prefix = mounts.count > 1 ? (m.mountPoint ?? m.path) + " " : ""
            if let window = m.negativeLookupWindow {
                perf.append(
                    .init(
                        prefix + "neg_lookup_window", Double(window.maxSeconds), unit: "s", warn: String(targetDelay),
                        min: "0"))
            }
            perf.append(
                .init(
                    prefix + "drifted_options", Double(m.findings.filter { $0.rule == .drift }.count), warn: "0",
                    min: "0"))
        }
        var out = NagiosOutput(
            findings: allFindings, okSummary: "\(mounts.count) mount(s) checked, nothing to report",
            perfdata: perf)
        out.severity = severity
        return out
    }
}
