import ServerView
import ServerSurvey
import Provisioning
import Probe
import Check
import Advice
import Locks
import Reports

extension AuditReport {
    /// Long: the text laid out top to bottom as it is printed.
    public func textReport(color: Bool = Terminal.isColorful) -> String {
        var blocks: [String] = []
        for share in shares {
            var facts: [(String, TextTable.Cell)] = [("Role", TextTable.Cell(share.role.rawValue))]
            if let c = share.check, let o = c.effective {
                facts.append(
                    ("Mount", TextTable.Cell("\(c.mountPoint ?? "?") from \(c.source ?? "?") (\(c.fsType ?? "?"))")))
                facts.append(("Options", TextTable.Cell(o.summary)))
            }
            if let s = share.server {
                let clock =
                    s.clock.map { c in
                        ", clock \(c.offsetSeconds >= 0 ? "+" : "-")\(formatSeconds(abs(c.offsetSeconds)))"
                    } ?? ""
                facts.append(
                    (
                        "Server",
                        TextTable.Cell((s.reachable ? "up" : "DOWN") + clock, severity: s.reachable ? nil : .crit)
                    ))
            }
            if let ok = share.scratchDirectoryOK {
                facts.append(
                    (
                        "Scratch directory",
                        TextTable.Cell(
                            "\(share.scratch?.path ?? "") " + (ok ? "ok" : "needs work"), severity: ok ? .ok : .warn)
                    ))
            }
            if let first = share.probe?.firstVerdict {
                let text = first.hidesNewFile
                    ? "hides a name it looked up (\(first.hiddenFor))" : "shows a new file at once"
                facts.append(("First verdict", TextTable.Cell(text, severity: first.hidesNewFile ? .warn : .ok)))
            }
            for s in share.probe?.scenarios ?? [] {
                let m = s.medianSeconds.map(formatSeconds) ?? "-", p = s.p95Seconds.map(formatSeconds) ?? "-"
                facts.append(
                    (
                        "Visible (\(s.scenario.rawValue))",
                        TextTable.Cell("median \(m), p95 \(p), \(s.verdict)", severity: s.severity)
                    ))
            }
            if let locks = share.locks {
                let advisory = locks.advisory?.rawValue ?? "not measured"
                let link = locks.linkBased.map { "link-based \($0.rawValue)" } ?? "link-based not measured"
                let margin = locks.stalenessMarginSeconds.map { ", staleness margin \(formatSeconds($0))" } ?? ""
                let when = locks.reused ? " (last full audit)" : ""
                facts.append(
                    (
                        "Locks",
                        TextTable.Cell(
                            "advisory \(advisory), \(link)\(margin)\(when)",
                            severity: locks.findings.worst)
                    ))
            }
            let heading = Terminal.lines(share.path).map { Terminal.paint($0, severity: nil, bold: true, color: color) }
            var block = heading.joined(separator: "\n") + "\n" + keyValueBlock(facts, color: color)
            if let a = share.advice, !a.changesNothing { block += "\n\nAdvice:\n" + a.textReport(color: color) }
            block += "\n\n" + findingsTable(share.findings, color: color)
            blocks.append(block)
        }
        if !findings.isEmpty { blocks.append(findingsTable(findings, color: color)) }
        blocks.append(
            "Status: " + Terminal.paint(severity.description.uppercased(), severity: severity, bold: true, color: color)
        )
        return blocks.joined(separator: "\n\n")
    }
}
