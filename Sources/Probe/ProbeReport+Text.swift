import Foundation
import Reports

extension ProbeReport {
    public func textReport(color: Bool = Terminal.isColorful) -> String {
        var facts: [(String, TextTable.Cell)] = [("Directory", TextTable.Cell(directory ?? share))]
        if let mountPoint, let fsType { facts.append(("Mount", TextTable.Cell("\(mountPoint) (\(fsType))"))) }
        if let options { facts.append(("Options", TextTable.Cell(options))) }
        if let serverURL { facts.append(("Server view", TextTable.Cell(serverURL))) }
        if let rtt = serverRoundTripSeconds { facts.append(("Server round trip", TextTable.Cell(formatSeconds(rtt) + " (the floor)"))) }
        let resolution = resolutionSeconds.map { " (measured period \(formatSeconds($0)))" } ?? ""
        facts.append(("Poll interval", TextTable.Cell(formatSeconds(intervalSeconds) + resolution)))
        facts.append(("Max wait", TextTable.Cell(formatSeconds(maxWaitSeconds))))
        facts.append(("Wall time", TextTable.Cell(formatSeconds(wallSeconds))))
        if leftoversRemoved > 0 { facts.append(("Leftovers removed", TextTable.Cell("\(leftoversRemoved) run(s) of killed probes"))) }
        var out = keyValueBlock(facts, color: color)
        if !scenarios.isEmpty {
            var table = TextTable(headers: ["SCENARIO", "N", "MIN", "MEDIAN", "P95", "MAX", "NEVER", "PREDICTED", "VERDICT"])
            func s(_ v: Double?) -> String { v.map(formatSeconds) ?? "-" }
            for r in scenarios {
                table.add([TextTable.Cell(r.scenario.rawValue), TextTable.Cell(String(r.samples)), TextTable.Cell(s(r.minSeconds)),
                           TextTable.Cell(s(r.medianSeconds)), TextTable.Cell(s(r.p95Seconds)), TextTable.Cell(s(r.maxSeconds)),
                           TextTable.Cell(String(r.neverVisible)), TextTable.Cell(r.predictedSeconds.map { "≤ \($0) s" } ?? "unknown"),
                           TextTable.Cell(r.verdict, severity: r.severity)])
            }
            out += "\n\n" + table.render(color: color)
        }
        if let cost {
            out += "\n\n" + String(format: "RPCs per sample: LOOKUP %.1f, GETATTR %.1f, ACCESS %.1f, READDIR %.1f (%d samples, from mountstats)",
                                   cost.lookup, cost.getattr, cost.access, cost.readdir, cost.samples)
        } else if let costNote {
            out += "\n\nRPC cost: " + costNote
        }
        return out + "\n\n" + findingsTable(findings, color: color)
    }
}
