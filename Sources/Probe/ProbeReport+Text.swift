import FoundationGaps
import FoundationEssentials
import Reports

extension ProbeReport {
    /// `firstVerdictShown`: the line was already printed the moment it was known.
    /// Long: the text laid out top to bottom as it is printed.
    public func textReport(color: Bool = Terminal.isColorful, firstVerdictShown: Bool = false) -> String {
        var facts: [(String, TextTable.Cell)] = [("Directory", TextTable.Cell(directory ?? share))]
        if let mountPoint, let fsType { facts.append(("Mount", TextTable.Cell("\(mountPoint) (\(fsType))"))) }
        if let options { facts.append(("Options", TextTable.Cell(options))) }
        if let serverURL { facts.append(("Server view", TextTable.Cell(serverURL))) }
        if let otherNode { facts.append(("Other node", TextTable.Cell(otherNode))) }
        if let rtt = serverRoundTripSeconds {
            facts.append(("Server round trip", TextTable.Cell(formatSeconds(rtt) + " (the floor)")))
        }
        let resolution = resolutionSeconds.map { " (measured period \(formatSeconds($0)))" } ?? ""
        facts.append(("Poll interval", TextTable.Cell(formatSeconds(intervalSeconds) + resolution)))
        facts.append(("Max wait", TextTable.Cell(formatSeconds(maxWaitSeconds))))
        facts.append(("Wall time", TextTable.Cell(formatSeconds(wallSeconds))))
        if leftoversRemoved > 0 {
            facts.append(("Leftovers removed", TextTable.Cell("\(leftoversRemoved) run(s) of killed probes")))
        }
        var out = keyValueBlock(facts, color: color)
        if let firstVerdict, !firstVerdictShown { out += "\n\n" + firstVerdict.textLine(color: color) }
        if !scenarios.isEmpty {
            // The figures in one table (about 75 columns), the verdicts below it: both fit 80 columns.
            var table = TextTable(headers: ["SCENARIO", "N", "MIN", "MEDIAN", "P95", "MAX", "NEVER", "PREDICTED"])
            func s(_ v: Double?) -> String { v.map(formatSeconds) ?? "-" }
            for r in scenarios {
                table.add([
                    TextTable.Cell(r.scenario.rawValue, severity: r.severity), TextTable.Cell(String(r.samples)),
                    TextTable.Cell(s(r.minSeconds)), TextTable.Cell(s(r.medianSeconds)),
                    TextTable.Cell(s(r.p95Seconds)),
                    TextTable.Cell(s(r.maxSeconds)), TextTable.Cell(String(r.neverVisible)),
                    TextTable.Cell(r.predictedSeconds.map { "≤ \($0) s" } ?? "unknown"),
                ])
            }
            let width = scenarios.map(\.scenario.rawValue.count).max() ?? 0
            let verdicts = scenarios.map { r in
                let label = (r.scenario.rawValue + ":").padded(to: width + 2)
                return Terminal.hanging("  " + label, r.verdict)
            }
            out +=
                "\n\n" + table.render(color: color) + "\nVerdicts:\n" + verdicts.joined(separator: "\n")
                + "\n" + Terminal.hanging("Figures: ", meaning + ".")
        }
        if let cost {
            let figures =
                String(printf: "LOOKUP %.1f, GETATTR %.1f, ACCESS %.1f, READDIR %.1f", cost.lookup,
                       cost.getattr, cost.access, cost.readdir)
                + " (\(cost.samples) samples, from mountstats)"
            out += "\n\n" + Terminal.hanging("RPCs per sample: ", figures)
        } else if let costNote {
            out += "\n\n" + Terminal.hanging("RPC cost: ", costNote)
        }
        return out + "\n\n" + findingsTable(findings, color: color)
    }
}

extension FirstVerdict {
    /// One line for people, printed the moment the verdict is known.
    public func textLine(color: Bool = Terminal.isColorful) -> String {
        let head = "First verdict (\(formatSeconds(tookSeconds))):"
        guard hidesNewFile else {
            let seen = seenAfterSeconds.map { " (visible after \(formatSeconds($0)))" } ?? ""
            return Terminal.hanging(head + " ", "no, this mount shows another node's new file at once" + seen)
        }
        let window = predictedSeconds.map { "; the options allow up to \($0) s" } ?? ""
        let yes = "YES, this mount hides another node's new file under a name it already looked up"
        let rest = " (\(hiddenFor)\(window))"
        guard color else { return Terminal.hanging(head + " ", yes + rest) }
        return head + " " + Terminal.paint(yes, severity: .warn, bold: false, color: color) + rest
    }
}
