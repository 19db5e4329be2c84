import FoundationGaps
import FoundationEssentials
import Reports

extension LockReport {
    public func textReport(color: Bool = Terminal.isColorful) -> String {
        var facts: [(String, TextTable.Cell)] = [("Share", TextTable.Cell(share))]
        if let mountPoint, let fsType { facts.append(("Mount", TextTable.Cell("\(mountPoint) (\(fsType))"))) }
        if let options { facts.append(("Options", TextTable.Cell(options))) }
        if let serverURL { facts.append(("Server view", TextTable.Cell(serverURL + " (locks over NFSv4)"))) }
        facts.append(("Lock settings", TextTable.Cell(fileLocksPath ?? "no file-locks: Workbench's defaults")))
        facts.append(("Wall time", TextTable.Cell(formatSeconds(wallSeconds))))
        if !leftoversRemoved.isEmpty {
            facts.append(("Leftovers removed", TextTable.Cell("\(leftoversRemoved.count) file(s) of killed runs")))
        }
        var out = keyValueBlock(facts, color: color)
        let rows = verdictRows
        if !rows.isEmpty {
            var table = TextTable(headers: ["CHECK", "VERDICT", "WHAT WAS SEEN"])
            for row in rows { table.add([TextTable.Cell(row.check), TextTable.Cell(row.verdict, severity: row.severity),
                                         TextTable.Cell(row.detail)]) }
            out += "\n\n" + table.render(color: color)
        }
        return out + "\n\n" + findingsTable(findings, color: color)
    }

    /// One row per measurement: advisory, link-based, staleness.
    var verdictRows: [(check: String, verdict: String, severity: Severity, detail: String)] {
        var rows: [(String, String, Severity, String)] = []
        if let a = advisory {
            let severity: Severity = switch a.verdict {
            case .coherent: .ok
            case .notMeasured: .info
            case .local, .unavailable: .crit
            }
            rows.append(("advisory (fcntl)", a.verdict.rawValue, severity, a.detail))
        }
        if let l = linkBased {
            let severity = l.verdict == .works ? Severity.ok : worstOf("hardlinks", "link-not-seen")
            rows.append(("link-based", l.verdict.rawValue, severity, l.detail))
        }
        if let s = staleness {
            let offset = s.clockOffsetSeconds.map { String(printf: " + clock %.1f s", abs($0)) } ?? " + clock unknown"
            let detail = String(printf: "refresh %g s + attributes %g s", s.refreshRate, s.attributeStalenessSeconds)
                + " (\(s.stalenessSource))" + offset
                + String(printf: " = %.1f s vs timeout %g s", s.worstApparentAgeSeconds, s.timeoutInterval)
            rows.append(("staleness", s.hazard ? "hazard" : String(printf: "margin %.1f s", s.marginSeconds),
                         s.hazard ? worstOf("lock-staleness") : .ok, detail))
        }
        return rows
    }

    private func worstOf(_ rules: Rule...) -> Severity {
        findings.filter { rules.contains($0.rule) }.worst
    }
}
