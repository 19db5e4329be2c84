import FoundationGaps
import FoundationEssentials
import Reports
import SystemPackage

/// The cluster as the share shows it: one row per node, what differs from the majority, who can
/// reach whose launcher.
public struct FleetReport: Codable, Sendable {
    public struct Row: Codable, Sendable {
        public var node: String
        /// Negative for a report dated ahead of this node's clock.
        public var ageSeconds: Double
        public var stale: Bool
        /// Dated more than `futureTolerance` ahead: neither fresh nor stale, a finding.
        public var future: Bool
        public var options: String?
        public var optionsDiffer: Bool
        public var scratchDirectoryOK: Bool?
        public var clockOffsetSeconds: Double?
        public var negativeLookupP95Seconds: Double?
        /// Configuration files whose fingerprint differs from the majority's (or that this node lacks,
        /// or has alone).
        public var configDiffers: [String]
        /// Its fingerprints use another key than most nodes' (so they cannot be compared).
        public var configKeyDiffers: Bool
        public var launcher: String?
    }

    public var share: String
    public var rows: [Row]
    /// reachability[from][to]: true, false, or absent when not tried.
    public var reachability: [String: [String: Bool]]
    /// visibility[writer][reader]: seconds until the reader first saw the writer's marker (an upper bound).
    public var visibility: [String: [String: Double]]
    /// watchVisibility[writer][reader]: the last canary's delay as the reader's `nfskeeper watch` measured it
    /// (fresh summaries only); shown instead of `visibility` when present.
    public var watchVisibility: [String: [String: Double]] = [:]
    public var findings: [Finding]
    public var severity: Severity

    /// A report dated more than this ahead of the reader's clock is a finding, never fresh.
    public static let futureTolerance: Double = 300
    /// A report older than this is stale (`fleet --stale-after`, the audit's launcher connects).
    public static let defaultStaleAfter: Double = 3600

    /// Dated neither more than `futureTolerance` ahead nor more than `staleAfter` ago.
    public static func isFresh(_ r: NodeReport, now: Date = Date(), staleAfter: Double = defaultStaleAfter) -> Bool {
        (-futureTolerance...staleAfter).contains(now.timeIntervalSince(r.time))
    }
    /// Beyond this many nodes the text shows the N×N matrices as summaries (the JSON stays complete).
    public static let matrixLimit = 16

    /// Long: the fleet's majorities and matrices are built from the same pass over the reports.
    public static func build(
        share: String, reports: [NodeReport], problems: [ReportProblem], watches: [WatchSummary] = [],
        now: Date = Date(), staleAfter: Double = defaultStaleAfter
    ) -> FleetReport {
        var findings = problems.map { Finding(.warn, "node-report", subject: $0.file, $0.description) }
        let fresh = reports.filter { isFresh($0, now: now, staleAfter: staleAfter) }
        let usualOptions = majority(fresh.compactMap { $0.mount?.cacheKey })
        let (usualKeyID, usualHash) = usualConfiguration(fresh)
        var rows: [Row] = []
        for r in reports.sorted(by: { $0.node < $1.node }) {
            let row = Row(
                r, now: now, staleAfter: staleAfter, usualOptions: usualOptions, usualHash: usualHash,
                usualKeyID: usualKeyID)
            findings += row.findings(r)
            rows.append(row)
        }
        findings += mixedLockKinds(fresh)
        findings += productFindings(fresh)
        findings += accountDrift(fresh)
        let known = Set(reports.map(\.node))
        var matrix: [String: [String: Bool]] = [:]
        for r in fresh {
            for reach in r.reachability where known.contains(reach.node) && reach.node != r.node {
                matrix[r.node, default: [:]][reach.node] = reach.reachable
                if !reach.reachable { findings.append(unreachable(r.node, reach)) }
            }
            for reach in r.wwwReachability ?? []
            where known.contains(reach.node) && reach.node != r.node
                && !reach.reachable
            {
                findings.append(
                    Finding(
                        .crit, "www-unreachable", subject: r.node,
                        "\(r.node) cannot reach \(reach.node)'s Workbench at \(reach.address):"
                            + "\(reach.port) (\(reach.error ?? "no answer"))",
                        fix: "Workbench's load balancer forwards sessions between nodes: open TCP "
                            + "\(reach.port) from \(r.node) to \(reach.node), or check rstudio-server "
                            + "there"))
            }
        }
        var visibility: [String: [String: Double]] = [:]
        for r in fresh {
            for s in r.sightings ?? [] where known.contains(s.node) && s.node != r.node && s.delaySeconds.isFinite {
                visibility[s.node, default: [:]][r.node] = max(0, s.delaySeconds)
            }
        }
        if reports.isEmpty {
            findings.append(Finding(.unknown, "no-nodes", subject: share, "no node has reported into \(share)"))
        }
        var fleet = FleetReport(
            share: share, rows: rows, reachability: matrix, visibility: visibility, findings: findings,
            severity: findings.worst)
        fleet.watchVisibility = watchMatrix(watches, now: now, staleAfter: staleAfter)
        return fleet
    }

    /// The fresh watch summaries' last delays, writer → reader.
    static func watchMatrix(_ watches: [WatchSummary], now: Date, staleAfter: Double) -> [String: [String: Double]] {
        var matrix: [String: [String: Double]] = [:]
        for w in watches where (-futureTolerance...staleAfter).contains(now.timeIntervalSince(w.time)) {
            for p in w.pairs { if let last = p.lastSeconds { matrix[p.writer, default: [:]][w.reader] = last } }
        }
        return matrix
    }

    /// The most common value; ties go to the smallest, so every reader picks the same.
    static func majority<T: Hashable & Comparable>(_ values: [T]) -> T? {
        Dictionary(grouping: values, by: { $0 }).max { a, b in
            a.value.count < b.value.count || (a.value.count == b.value.count && a.key > b.key)
        }?.key
    }

    /// Each configuration file's usual fingerprint among every fresh node, a missing file counting as
    /// "absent": one report cannot make the nodes that lack a file the odd ones out.
    /// Fingerprints compare only under one key: the key most nodes use.
    static func usualConfiguration(_ fresh: [NodeReport]) -> (keyID: String?, hashes: [String: String]) {
        let keyID = majority(fresh.map { $0.configKeyID ?? "" })
        let comparable = fresh.filter { ($0.configKeyID ?? "") == keyID }
        var usual: [String: String] = [:]
        for file in Set(comparable.flatMap { $0.configHashes.keys }) {
            usual[file] = majority(comparable.map { $0.configHashes[file] ?? absent })
        }
        return (keyID, usual)
    }

    static let absent = "absent"

    /// Nodes whose Workbench lock kind differs from most fresh nodes': a link-based lock and an
    /// advisory one on the same file do not see each other, so two nodes can hold one lock.
    static func mixedLockKinds(_ fresh: [NodeReport]) -> [Finding] {
        guard let usual = majority(fresh.compactMap { $0.fileLocks?.kind }) else { return [] }
        return fresh.sorted { $0.node < $1.node }.compactMap { r in
            guard let kind = r.fileLocks?.kind, kind != usual else { return nil }
            return Finding(
                .crit, "lock-type", subject: r.node,
                "\(r.node) locks with \(kind), most nodes with \(usual): the two kinds do not see each "
                    + "other's locks, so two nodes can hold the same lock",
                fix: "set the same lock-type and use-symlinks in /etc/rstudio/file-locks on every node, "
                    + "then restart rstudio-server")
        }
    }

    /// Refused means the address answered and nothing listens there (the launcher is down or elsewhere);
    /// no answer means something drops the packets (a firewall) or the address leads nowhere.
    static func unreachable(_ from: String, _ reach: NodeReport.Reachability) -> Finding {
        let target = "\(reach.address):\(reach.port)"
        guard reach.error == Errno.connectionRefused.description else {
            return Finding(
                .crit, "launcher-unreachable", subject: from,
                "\(from) gets no answer from \(reach.node)'s launcher at \(target) "
                    + "(\(reach.error ?? "no answer"))",
                fix: "open TCP \(reach.port) from \(from) to \(reach.node) (a firewall drops it), "
                    + "or correct the address in \(reach.node)'s launcher.conf")
        }
        return Finding(
            .crit, "launcher-unreachable", subject: from,
            "nothing listens on \(target), \(reach.node)'s launcher address "
                + "(connection refused from \(from))",
            fix: "start the launcher on \(reach.node) (systemctl status rstudio-launcher), "
                + "or correct [server] address and port in its launcher.conf")
    }

    func configCell(_ r: Row) -> TextTable.Cell {
        if r.configKeyDiffers { return TextTable.Cell("other key", severity: .warn) }
        if r.configDiffers.isEmpty { return TextTable.Cell("same") }
        return TextTable.Cell("differs: " + r.configDiffers.joined(separator: ","), severity: .warn)
    }

    /// The matrices in one paragraph, for fleets too large to show them (`--json` has them whole).
    var matrixSummary: String {
        let pairs = reachability.values.flatMap(\.values)
        let watched = !watchVisibility.isEmpty
        let delays = (watched ? watchVisibility : visibility).values.flatMap(\.values).sorted()
        var lines = ["Launcher reachability: \(pairs.filter { !$0 }.count) of \(pairs.count) tried pairs fail."]
        if let worst = delays.last {
            let bound = watched ? "" : "≤ "
            lines.append(
                "Node-to-node visibility\(watched ? " (nfskeeper watch)" : ""): \(delays.count) pairs, "
                    + "median \(bound)\(formatSeconds(delays[delays.count / 2])), "
                    + "worst \(bound)\(formatSeconds(worst)).")
        }
        lines.append("(\(rows.count) nodes: the matrices are in --json.)")
        return lines.joined(separator: "\n")
    }

    /// Report times are stored to the second: ages read in whole seconds, minutes or hours.
    static func age(_ seconds: Double) -> String {
        // A report's time is input from the share: clamp before converting (1e300 or NaN must not trap).
        guard seconds.isFinite else { return "unknown" }
        let s = Int(min(max(0, seconds), 1e12).rounded())
        if s < 120 { return "\(s) s" }
        if s < 7200 { return "\(s / 60) min" }
        return String(printf: "%.1f h", Double(s) / 3600)
    }

    /// Long: the text laid out top to bottom as it is printed.
    public func textReport(color: Bool = Terminal.isColorful) -> String {
        var table = TextTable(headers: [
            "NODE", "LAST SEEN", "OPTIONS", "SCRATCH", "CLOCK", "NEG-LOOKUP P95", "CONFIG", "LAUNCHER",
        ])
        for r in rows {
            table.add([
                TextTable.Cell(r.node),
                TextTable.Cell(
                    r.future
                        ? "in " + Self.age(-r.ageSeconds) + " FUTURE"
                        : Self.age(r.ageSeconds) + " ago" + (r.stale ? " STALE" : ""),
                    severity: r.stale || r.future ? .warn : nil),
                TextTable.Cell(r.options ?? "-", severity: r.optionsDiffer ? .warn : nil),
                TextTable.Cell(
                    r.scratchDirectoryOK.map { $0 ? "ok" : "WRONG" } ?? "-",
                    severity: r.scratchDirectoryOK == false ? .crit : nil),
                TextTable.Cell(
                    r.clockOffsetSeconds.map(formatSeconds) ?? "-",
                    severity: abs(r.clockOffsetSeconds ?? 0) >= 1 ? .warn : nil),
                TextTable.Cell(r.negativeLookupP95Seconds.map(formatSeconds) ?? "-"),
                configCell(r),
                TextTable.Cell(r.launcher ?? "-"),
            ])
        }
        var out = table.render(color: color)
        let nodes = rows.map(\.node)
        if nodes.count > Self.matrixLimit {
            return out + "\n\n" + matrixSummary + "\n\n"
                + findingsTable(findings, showSubject: true, subjectHeader: "NODE", color: color)
        }
        if !reachability.isEmpty {
            var matrix = TextTable(headers: ["FROM \\ TO"] + nodes)
            for from in nodes {
                matrix.add(
                    [TextTable.Cell(from)]
                        + nodes.map { to in
                            guard let ok = reachability[from]?[to] else {
                                return TextTable.Cell(from == to ? "·" : "-")
                            }
                            return TextTable.Cell(ok ? "ok" : "NO", severity: ok ? .ok : .crit)
                        })
            }
            out += "\n\nLauncher reachability (TCP connect):\n" + matrix.render(color: color)
        }
        if !watchVisibility.isEmpty {
            // Every node the watch names: a watcher need not have run an audit.
            let watched = Set(nodes + watchVisibility.keys + watchVisibility.values.flatMap(\.keys)).sorted()
            out += "\n\nNode-to-node visibility (nfskeeper watch: the last canary's delay; server clock):\n"
                + Self.delayMatrix(watchVisibility, nodes: watched, color: color) { formatSeconds($0) }
        } else if !visibility.isEmpty {
            out += "\n\nNode-to-node visibility (marker written → first seen by the reader's audit; server clock):\n"
                + Self.delayMatrix(visibility, nodes: nodes, color: color) { "≤ " + formatSeconds($0) }
        }
        return out + "\n\n" + findingsTable(findings, showSubject: true, subjectHeader: "NODE", color: color)
    }

    /// A writer × reader matrix of delays, `·` on the diagonal, `-` where none is known.
    static func delayMatrix(_ delays: [String: [String: Double]], nodes: [String], color: Bool,
                            cell: (Double) -> String) -> String {
        var matrix = TextTable(headers: ["WRITER \\ READER"] + nodes)
        for writer in nodes {
            matrix.add([TextTable.Cell(writer)] + nodes.map { reader in
                TextTable.Cell(writer == reader ? "·" : delays[writer]?[reader].map(cell) ?? "-")
            })
        }
        return matrix.render(color: color)
    }
}
