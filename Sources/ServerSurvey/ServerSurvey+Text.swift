import ServerView
import NFSModel
import FoundationEssentials
import Reports

extension ServerSurvey {
    /// The report for people: facts first, in the order an administrator checks them, then findings.
    /// Long: the text laid out top to bottom as it is printed.
    public func textReport(color: Bool = Terminal.isColorful) -> String {
        var facts: [(String, TextTable.Cell)] = [("Server", TextTable.Cell(server)), ("URL", TextTable.Cell(url))]
        if !reachable {
            facts.append(("Reachable", TextTable.Cell("no", severity: .crit)))
        } else {
            facts.append(
                (
                    "Reachable",
                    TextTable.Cell(
                        "yes" + (connectSeconds.map { ", mounted in \(formatSeconds($0))" } ?? ""), severity: .ok)
                ))
        }
        let versionText = versions.map { "NFSv\($0.version) " + ($0.answers ? "yes" : "no") }.joined(separator: ", ")
        facts.append(("Versions", TextTable.Cell(versionText)))
        if let rt = roundTrip {
            facts.append(
                (
                    "Round trip",
                    TextTable.Cell(
                        "min \(formatSeconds(rt.minSeconds)), median \(formatSeconds(rt.medianSeconds)), p99 "
                        + "\(formatSeconds(rt.p99Seconds)) (\(rt.samples) GETATTR, NFSv\(rt.version))"
                    )
                ))
        }
        if let clock {
            let sign = clock.offsetSeconds >= 0 ? "+" : "-"
            facts.append(
                (
                    "Clock offset",
                    TextTable.Cell(
                        "\(sign)\(formatSeconds(abs(clock.offsetSeconds))) ± "
                            + "\(formatSeconds(clock.uncertaintySeconds)) (server minus this node)",
                        severity: abs(clock.offsetSeconds) >= 1 ? .warn : nil)
                ))
        }
        if let rootSquash {
            facts.append(
                ("Root squash", TextTable.Cell((rootSquash.squashed ? "yes" : "no") + " (\(rootSquash.evidence))")))
        }
        if let writable {
            facts.append(("Writable", TextTable.Cell(writable ? "yes" : "no", severity: writable ? nil : .warn)))
        }
        if let fs = filesystem {
            facts.append(
                (
                    "Space",
                    TextTable.Cell(
                        "\(formatBytes(fs.availableBytes)) available of \(formatBytes(fs.totalBytes)); "
                        + "\(fs.freeFiles) of \(fs.totalFiles) inodes free"
                    )
                ))
        }
        var out = keyValueBlock(facts, color: color)
        if let exports {
            var table = TextTable(headers: ["EXPORT", "CLIENTS"])
            for e in exports { table.add(e.path, e.clients.isEmpty ? "*" : e.clients.joined(separator: ",")) }
            out += "\n\n" + table.render(color: color)
        }
        out += "\n\n" + findingsTable(findings, color: color)
        return out
    }
}
