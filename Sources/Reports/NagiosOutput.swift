import FoundationGaps

/// A Monitoring Plugins status (Nagios, Icinga, Naemon): one line `NFSKEEPER <STATUS> - <summary>`,
/// performance data after `|`, long output on the lines after it, and the exit code of the status.
/// https://www.monitoring-plugins.org/doc/guidelines.html
public struct NagiosOutput: Sendable {
    /// `'label'=value[unit];[warn];[crit];[min];[max]`. Thresholds are Nagios ranges (`5`, `-1:1`, `1:`).
    public struct PerfDatum: Sendable {
        public var label: String
        public var value: Double
        public var unit: String
        public var warn: String
        public var crit: String
        public var min: String
        public var max: String

        public init(
            _ label: String, _ value: Double, unit: String = "", warn: String = "", crit: String = "",
            min: String = "", max: String = ""
        ) {
            (self.label, self.value, self.unit, self.warn, self.crit, self.min, self.max) = (
                label, value, unit, warn, crit, min, max
            )
        }

        /// Labels are quoted (a quote doubled); '=' cannot stand in one.
        public var text: String {
            let label = label.replacingEvery("'", with: "''").replacingEvery("=", with: "_")
            let fields = [warn, crit, min, max]
            var last = fields.count
            while last > 0 && fields[last - 1].isEmpty { last -= 1 }
            return "'\(label)'=\(Self.number(value))\(unit)" + fields.prefix(last).map { ";" + $0 }.joined()
        }

        public static func number(_ v: Double) -> String {
            guard v.isFinite else { return "U" }  // the guidelines' "undetermined"
            return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(printf: "%.6g", v)
        }
    }

    public var severity: Severity
    public var summary: String
    public var perfdata: [PerfDatum] = []
    public var longOutput: [String] = []

    public init(severity: Severity, summary: String, perfdata: [PerfDatum] = [], longOutput: [String] = []) {
        (self.severity, self.summary, self.perfdata, self.longOutput) = (severity, summary, perfdata, longOutput)
    }

    /// From findings: the worst as the summary, every other (warn and worse first) as long output.
    public init(findings: [Finding], okSummary: String, perfdata: [PerfDatum]) {
        let sorted = findings.filter { $0.severity != .ok }.sorted { $0.severity > $1.severity }
        let worst = sorted.first.flatMap { $0.severity >= .warn ? $0 : nil }
        self.init(
            severity: findings.worst, summary: worst.map { "\($0.rule): \($0.message)" } ?? okSummary,
            perfdata: perfdata,
            longOutput: sorted.map { f in
                "\(f.severity.description.uppercased()) " + (f.subject.map { $0 + " " } ?? "")
                    + "\(f.rule): \(f.message)"
                    + (f.fix.map { " → " + $0 } ?? "")
            })
    }

    public var statusWord: String {
        switch severity {
        case .ok, .info: "OK"
        case .warn: "WARNING"
        case .crit: "CRITICAL"
        case .unknown: "UNKNOWN"
        }
    }

    /// '|' separates performance data, so none may appear in the text; the summary is one short line.
    public var text: String {
        func clean(_ s: String) -> String {  // one line, no '|', control characters shown escaped
            Terminal.visible(String(s.map { $0 == "|" ? "/" : ($0.isNewline || $0 == "\t") ? " " : $0 }))
        }
        var summary = clean(self.summary)
        if summary.count > 160 { summary = String(summary.prefix(157)) + "..." }
        var out = "NFSKEEPER \(statusWord) - \(summary)"
        if !perfdata.isEmpty { out += " | " + perfdata.map(\.text).joined(separator: " ") }
        for line in longOutput { out += "\n" + clean(line) }
        return out
    }
}
