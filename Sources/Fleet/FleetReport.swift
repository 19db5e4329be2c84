import Foundation
import Reports

/// The cluster as the share shows it: one row per node, what differs from the majority, who can
/// reach whose launcher.
public struct FleetReport: Codable, Sendable {
    public struct Row: Codable, Sendable {
        public var node: String
        public var ageSeconds: Double
        public var stale: Bool
        public var options: String?
        public var optionsDiffer: Bool
        public var scratchDirectoryOK: Bool?
        public var clockOffsetSeconds: Double?
        public var negativeLookupP95Seconds: Double?
        /// Configuration files whose hash differs from the majority's (or that this node lacks).
        public var configDiffers: [String]
        public var launcher: String?
    }

    public var share: String
    public var rows: [Row]
    /// reachability[from][to]: true, false, or absent when not tried.
    public var reachability: [String: [String: Bool]]
    /// visibility[writer][reader]: seconds until the reader first saw the writer's marker (an upper bound).
    public var visibility: [String: [String: Double]]
    public var findings: [Finding]
    public var severity: Severity

    public static func build(share: String, reports: [NodeReport], problems: [String], now: Date = Date(), staleAfter: Double = 3600) -> FleetReport {
        var findings = problems.map { Finding(.warn, "node-report", subject: share, $0) }
        func majority<T: Hashable>(_ values: [T]) -> T? {
            Dictionary(grouping: values, by: { $0 }).max { a, b in a.value.count < b.value.count || (a.value.count == b.value.count && "\(a.key)" > "\(b.key)") }?.key
        }
        let fresh = reports.filter { now.timeIntervalSince($0.time) <= staleAfter }
        let usualOptions = majority(fresh.compactMap { $0.mount?.cacheKey })
        let files = Set(reports.flatMap { $0.configHashes.keys })
        var usualHash: [String: String] = [:]
        for file in files { usualHash[file] = majority(fresh.compactMap { $0.configHashes[file] }) }

        var rows: [Row] = []
        for r in reports.sorted(by: { $0.node < $1.node }) {
            let age = now.timeIntervalSince(r.time)
            let stale = age > staleAfter
            let differs = r.mount.map { $0.cacheKey != usualOptions } ?? false
            let configDiffers = files.sorted().filter { usualHash[$0] != nil && r.configHashes[$0] != usualHash[$0] }
            rows.append(Row(node: r.node, ageSeconds: age, stale: stale, options: r.mount?.cacheKey, optionsDiffer: differs,
                            scratchDirectoryOK: r.scratchDirectoryOK, clockOffsetSeconds: r.clockOffsetSeconds,
                            negativeLookupP95Seconds: r.negativeLookupP95Seconds, configDiffers: configDiffers,
                            launcher: r.launcherAddress.map { "\($0):\(r.launcherPort ?? 5559)" }))
            if stale { findings.append(Finding(.warn, "stale", subject: r.node, "\(r.node) last reported \(Self.age(age)) ago: its audit timer stopped, or the node is down")) }
            if differs, let mine = r.mount?.cacheKey, let usual = usualOptions {
                findings.append(Finding(.warn, "option-drift", subject: r.node, "\(r.node) mounts with \(mine), the others with \(usual)",
                                        fix: "nfskeeper advise on \(r.node); the same options on every node"))
            }
            if !configDiffers.isEmpty {
                findings.append(Finding(.warn, "config-drift", subject: r.node, "\(r.node) has a different \(configDiffers.joined(separator: ", ")) than the other nodes",
                                        fix: "the guides require the same configuration on every node: copy it from a good node"))
            }
            if let offset = r.clockOffsetSeconds, abs(offset) >= 1 {
                findings.append(Finding(abs(offset) >= 30 ? .crit : .warn, "clock", subject: r.node,
                                        "\(r.node)'s clock is \(formatSeconds(offset)) off the NFS server's", fix: "synchronise clocks (chrony/NTP)"))
            }
            if r.scratchDirectoryOK == false {
                findings.append(Finding(.crit, "scratch-directory", subject: r.node, "\(r.node) reports the scratch directory wrong", fix: "nfskeeper provision on \(r.node)"))
            }
        }
        var matrix: [String: [String: Bool]] = [:]
        for r in fresh {
            for reach in r.reachability {
                matrix[r.node, default: [:]][reach.node] = reach.reachable
                if !reach.reachable {
                    findings.append(Finding(.crit, "launcher-unreachable", subject: r.node,
                                            "\(r.node) cannot reach \(reach.node)'s launcher at \(reach.address):\(reach.port) (\(reach.error ?? "no answer"))",
                                            fix: "open TCP \(reach.port) between the nodes; the launcher must be reachable from every node"))
                }
            }
        }
        var visibility: [String: [String: Double]] = [:]
        for r in fresh {
            for s in r.sightings ?? [] { visibility[s.node, default: [:]][r.node] = max(0, s.delaySeconds) }
        }
        if reports.isEmpty { findings.append(Finding(.unknown, "no-nodes", subject: share, "no node has reported into \(share)")) }
        return FleetReport(share: share, rows: rows, reachability: matrix, visibility: visibility, findings: findings, severity: findings.worst)
    }

    /// Report times are stored to the second: ages read in whole seconds, minutes or hours.
    static func age(_ seconds: Double) -> String {
        // A report's time is input from the share: clamp before converting (1e300 or NaN must not trap).
        guard seconds.isFinite else { return "unknown" }
        let s = Int(min(max(0, seconds), 1e12).rounded())
        if s < 120 { return "\(s) s" }
        if s < 7200 { return "\(s / 60) min" }
        return String(format: "%.1f h", Double(s) / 3600)
    }

    public func textReport(color: Bool = Terminal.isColorful) -> String {
        var table = TextTable(headers: ["NODE", "LAST SEEN", "OPTIONS", "SCRATCH", "CLOCK", "NEG-LOOKUP P95", "CONFIG", "LAUNCHER"])
        for r in rows {
            table.add([
                TextTable.Cell(r.node),
                TextTable.Cell(Self.age(r.ageSeconds) + " ago" + (r.stale ? " STALE" : ""), severity: r.stale ? .warn : nil),
                TextTable.Cell(r.options ?? "-", severity: r.optionsDiffer ? .warn : nil),
                TextTable.Cell(r.scratchDirectoryOK.map { $0 ? "ok" : "WRONG" } ?? "-", severity: r.scratchDirectoryOK == false ? .crit : nil),
                TextTable.Cell(r.clockOffsetSeconds.map(formatSeconds) ?? "-", severity: abs(r.clockOffsetSeconds ?? 0) >= 1 ? .warn : nil),
                TextTable.Cell(r.negativeLookupP95Seconds.map(formatSeconds) ?? "-"),
                TextTable.Cell(r.configDiffers.isEmpty ? "same" : "differs: " + r.configDiffers.joined(separator: ","), severity: r.configDiffers.isEmpty ? nil : .warn),
                TextTable.Cell(r.launcher ?? "-"),
            ])
        }
        var out = table.render(color: color)
        let nodes = rows.map(\.node)
        if !reachability.isEmpty {
            var matrix = TextTable(headers: ["FROM \\ TO"] + nodes)
            for from in nodes {
                matrix.add([TextTable.Cell(from)] + nodes.map { to in
                    guard let ok = reachability[from]?[to] else { return TextTable.Cell(from == to ? "·" : "-") }
                    return TextTable.Cell(ok ? "ok" : "NO", severity: ok ? .ok : .crit)
                })
            }
            out += "\n\nLauncher reachability (TCP connect):\n" + matrix.render(color: color)
        }
        if !visibility.isEmpty {
            var matrix = TextTable(headers: ["WRITER \\ READER"] + nodes)
            for writer in nodes {
                matrix.add([TextTable.Cell(writer)] + nodes.map { reader in
                    TextTable.Cell(writer == reader ? "·" : visibility[writer]?[reader].map { "≤ " + formatSeconds($0) } ?? "-")
                })
            }
            out += "\n\nNode-to-node visibility (marker written → first seen by the reader's audit; server clock):\n" + matrix.render(color: color)
        }
        return out + "\n\n" + findingsTable(findings, showSubject: true, subjectHeader: "NODE", color: color)
    }
}
