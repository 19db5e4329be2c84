import ServerView
import ServerSurvey
import Provisioning
import Probe
import Mounts
import Check
import Advice
import FoundationEssentials
import Locks
import Reports

extension AuditReport {
    /// `quick` or `full`: a label on every series, so both audits' files coexist in one textfile directory.
    public var mode: String { quick ? "quick" : "full" }

    /// The metrics the alert rules in scripts/prometheus/nfskeeper.rules.yml and the dashboard read.
    public var prometheus: String {
        var p = PrometheusText(constantLabels: [("mode", mode)])
        p.add(
            "nfskeeper_last_run_timestamp_seconds", help: "When this audit finished (Unix time).",
            value: time.timeIntervalSince1970)
        p.add(
            "nfskeeper_audit_status", help: "The audit's Nagios status: 0 ok, 1 warning, 2 critical, 3 unknown.",
            value: Double(severity.exitCode))
        var counts: [String: Int] = [:]
        for f in findings + shares.flatMap(\.findings) { counts["\(f.severity)\u{0}\(f.rule)", default: 0] += 1 }
        for (key, n) in counts.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "\u{0}").map(String.init)
            p.add(
                "nfskeeper_findings", help: "Findings of the last audit, by severity and rule.",
                labels: [("severity", parts[0]), ("rule", parts[1])], value: Double(n))
        }
        for share in shares { share.addMetrics(to: &p) }
        return p.text
    }

    /// One line of history per share: enough to see a trend (did the delay drop after the remount?).
    public var historyLines: [String] {
        shares.map { s in
            let o = s.check?.effective
            let entry = HistoryEntry(
                time: time, node: node, mountPoint: s.check?.mountPoint ?? s.path,
                lookupcache: o?.lookupcache.rawValue, acdirmax: o?.acdirmax,
                negativeLookupP95Seconds: s.probe?.scenarios.first { $0.scenario == .negativeLookup }?.p95Seconds,
                listingP95Seconds: s.probe?.scenarios.first { $0.scenario == .listing }?.p95Seconds,
                clockOffsetSeconds: s.server?.clock?.offsetSeconds, scratchDirectoryOK: s.scratchDirectoryOK,
                locks: s.locks?.reused == false ? s.locks : nil, severity: s.severity)
            // An entry always encodes (non-finite numbers as strings).
            return (try? encodeJSONLine(entry)) ?? "{}"
        }
    }
}

public struct HistoryEntry: Codable, Sendable {
    public var time: Date
    public var node: String
    public var mountPoint: String
    public var lookupcache: String?
    public var acdirmax: Int?
    public var negativeLookupP95Seconds: Double?
    public var listingP95Seconds: Double?
    public var clockOffsetSeconds: Double?
    public var scratchDirectoryOK: Bool?
    /// The full audit's lock check (a quick audit records none: it measured none).
    public var locks: LockSummary?
    public var severity: Severity
}

func encodeJSONLine<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try JSONCoding.encoder(pretty: false).encode(value), as: UTF8.self)
}

public enum History {
    /// Appends lines to the JSON-lines file (created, mode 0600, with its directory when missing;
    /// a symlink in its place is refused).
    public static func append(_ lines: [String], to path: String) throws(LocalFile.WriteError) {
        try LocalFile.append(Array(lines.map { $0 + "\n" }.joined().utf8), to: path, mode: 0o600)
    }

    /// Reads every entry; a broken line is skipped and counted.
    public static func read(_ path: String) -> (entries: [HistoryEntry], skipped: Int) {
        // No history yet: none.
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return ([], 0) }
        let decoder = JSONCoding.decoder()
        var entries: [HistoryEntry] = []
        var skipped = 0
        for line in text.split(separator: "\n") where !line.isEmpty {
            // An unreadable line is counted as skipped.
            if let e = try? decoder.decode(HistoryEntry.self, from: Data(line.utf8)) {
                entries.append(e)
            } else {
                skipped += 1
            }
        }
        return (entries, skipped)
    }
}

extension ShareAudit {
    /// Long: one family per metric, in the order of the README's table.
    func addMetrics(to p: inout PrometheusText) {
        let point = check?.mountPoint ?? path
        if let o = check?.effective {
            p.add(
                "nfskeeper_mount_option_info",
                help: "Effective NFS options of the mount (defaults applied); value always 1.",
                labels: [
                    ("mountpoint", point), ("source", check?.source ?? ""), ("vers", o.version ?? ""),
                    ("lookupcache", o.lookupcache.rawValue), ("acregmin", String(o.acregmin)),
                    ("acregmax", String(o.acregmax)), ("acdirmin", String(o.acdirmin)),
                    ("acdirmax", String(o.acdirmax)),
                    ("cto", o.cto ? "1" : "0"), ("lock", o.lock ? "1" : "0"), ("recovery", o.recovery.rawValue),
                    ("proto", o.proto),
                ], value: 1)
            p.add(
                "nfskeeper_negative_lookup_window_seconds",
                help: "Longest delay the options allow for a name already seen missing (the predicted window).",
                labels: [("mountpoint", point)], value: Double(o.negativeLookupWindow.upperBound))
            p.add(
                "nfskeeper_mount_declaration_drift_options",
                help: "Options whose live value differs from the mount's declaration (fstab, unit, autofs).",
                labels: [("mountpoint", point)],
                value: Double(check?.findings.filter { $0.rule == .drift }.count ?? 0))
        }
        if let first = probe?.firstVerdict {
            p.add(
                "nfskeeper_first_verdict_hides_new_file",
                help: "1 when a name this node looked up stayed hidden from the first poll after another "
                    + "node made it (this node answered from its cache).",
                labels: [("mountpoint", point), ("role", role.rawValue)], value: first.hidesNewFile ? 1 : 0)
        }
        addProbeMetrics(to: &p, point)
        addLockMetrics(to: &p, point)
        if let ok = scratchDirectoryOK {
            p.add(
                "nfskeeper_scratch_dir_ok",
                help: "1 when the launcher scratch directory exists with the right owner and mode.",
                labels: [("path", scratch?.path ?? path)], value: ok ? 1 : 0)
        }
        if let server {
            p.add(
                "nfskeeper_server_up", help: "1 when the NFS server answered the server view.",
                labels: [("server", server.server)], value: server.reachable ? 1 : 0)
            if let clock = server.clock {
                p.add(
                    "nfskeeper_server_clock_offset_seconds", help: "Server clock minus this node's clock.",
                    labels: [("server", server.server)], value: clock.offsetSeconds)
            }
            if let rt = server.roundTrip {
                p.add(
                    "nfskeeper_server_round_trip_seconds", help: "Median GETATTR round trip of the server view.",
                    labels: [("server", server.server)], value: rt.medianSeconds)
            }
        }
    }

    func addLockMetrics(to p: inout PrometheusText, _ point: String) {
        guard let locks else { return }
        let labels = [("mountpoint", point)]
        if let advisory = locks.advisory, advisory != .notMeasured {
            p.add("nfskeeper_locks_coherent", help: "1 when fcntl locks taken here and on another node exclude "
                  + "each other (measured both ways); 0 when local or unavailable.", labels: labels,
                  value: advisory == .coherent ? 1 : 0)
        }
        if let link = locks.linkBased {
            p.add("nfskeeper_link_locks_ok", help: "1 when a Workbench link-based lock (a hard link) works and "
                  + "another node sees it.", labels: labels, value: link == .works ? 1 : 0)
        }
        if let margin = locks.stalenessMarginSeconds {
            p.add("nfskeeper_lock_staleness_margin_seconds", help: "Workbench's timeout-interval minus refresh-rate, "
                  + "attribute staleness and clock offset; <= 0: a held link-based lock can look stale.",
                  labels: labels, value: margin)
        }
        p.add("nfskeeper_locks_measured_timestamp_seconds", help: "When the lock figures were measured (a quick "
              + "audit repeats the last full audit's).", labels: labels, value: locks.measuredAt.timeIntervalSince1970)
    }

    func addProbeMetrics(to p: inout PrometheusText, _ point: String) {
        for s in probe?.scenarios ?? [] {
            for (q, v) in [("0.5", s.medianSeconds), ("0.95", s.p95Seconds), ("1", s.maxSeconds)] {
                guard let v else { continue }
                p.add(
                    "nfskeeper_visibility_seconds",
                    help: "Measured delay until another node's change is visible here.",
                    labels: [("mountpoint", point), ("scenario", s.scenario.rawValue), ("quantile", q)], value: v)
            }
            p.add(
                "nfskeeper_visibility_never_visible_trials",
                help: "Probe trials whose change never showed within max-wait.",
                labels: [("mountpoint", point), ("scenario", s.scenario.rawValue)], value: Double(s.neverVisible))
        }
        if let cost = probe?.cost {
            let perSample = [
                ("lookup", cost.lookup), ("getattr", cost.getattr), ("access", cost.access),
                ("readdir", cost.readdir),
            ]
            for (op, v) in perSample {
                p.add(
                    "nfskeeper_probe_rpcs_per_sample",
                    help: "NFS calls this node's kernel made per probe sample (mountstats).",
                    labels: [("mountpoint", point), ("op", op)], value: v)
            }
        }
    }
}
