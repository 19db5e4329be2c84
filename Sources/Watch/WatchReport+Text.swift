import FoundationGaps
import FoundationEssentials
import Reports

extension WatchReport {
    public func textReport(color: Bool = Terminal.isColorful) -> String {
        var facts: [(String, TextTable.Cell)] = [("Share", TextTable.Cell(share)), ("Node", TextTable.Cell(node))]
        facts.append(("Period", TextTable.Cell(formatSeconds(periodSeconds) + ", \(canariesWritten) canaries made")))
        if let clockOffsetSeconds {
            facts.append(("Clock offset", TextTable.Cell(formatSeconds(clockOffsetSeconds) + " (server minus node)")))
        }
        if let rpcsPerPeriod {
            facts.append(("RPCs", TextTable.Cell(String(printf: "%.1f per period (mountstats)", rpcsPerPeriod))))
        }
        facts.append(("Wall time", TextTable.Cell(formatSeconds(wallSeconds))))
        var out = keyValueBlock(facts, color: color)
        var table = TextTable(headers: ["WRITER", "READER", "SEEN", "NEVER", "MIN", "MEAN", "MAX", "LAST", "LATE"])
        func s(_ v: Double?) -> TextTable.Cell { TextTable.Cell(v.map(formatSeconds) ?? "-") }
        for p in pairs {
            table.add([TextTable.Cell(p.writer), TextTable.Cell(p.reader), TextTable.Cell(String(p.seen)),
                       TextTable.Cell(String(p.neverSeen), severity: p.neverSeen > 0 ? .warn : nil), s(p.minSeconds),
                       s(p.seen > 0 ? p.sumSeconds / Double(p.seen) : nil), s(p.maxSeconds), s(p.lastSeconds),
                       s(p.maxLateSeconds)])
        }
        out += "\n\n" + (pairs.isEmpty ? "No other node watches this share yet." : table.render(color: color)
            + "\n" + Terminal.hanging("LATE: ", "the most a canary was made after its slot began; a delay can fall "
                                                 + "short of the cache window by that much."))
        return out + "\n\n" + findingsTable(findings, color: color)
    }
}
