import Foundation
import Glibc
import Testing
@testable import Audit
import Check
import Mounts
import Reports
import Watch

/// What shipped monitoring is read by, run for real: promtool on the rules, Debian's node_exporter on
/// the textfiles a full and a quick audit wrote, and nagiosplugin on the `--nagios` status lines.
@Suite(.serialized) struct MonitoringTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardized.path

    /// Runs a tool; its exit status and standard output (standard error appended).
    static func run(_ tool: String, _ arguments: [String], directory: String? = nil) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        (process.standardOutput, process.standardError) = (pipe, pipe)
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func theShippedRulesPassPromtool() throws {
        let rules = Self.repository + "/scripts/prometheus"
        let (checked, checkOutput) = try Self.run(
            "/usr/bin/promtool", ["check", "rules", "nfskeeper.rules.yml"], directory: rules)
        #expect(checked == 0, "\(checkOutput)")
        let (tested, testOutput) = try Self.run(
            "/usr/bin/promtool", ["test", "rules", "nfskeeper.rules.test.yml"], directory: rules)
        #expect(tested == 0 && testOutput.contains("SUCCESS"), "\(testOutput)")
        // Every alert has a unit test, and the tests name no alert that does not exist.
        let alerts = Set(
            try String(contentsOfFile: rules + "/nfskeeper.rules.yml", encoding: .utf8)
                .matches(of: /- alert: (\w+)/).map { String($0.1) })
        let unitTested = Set(
            try String(contentsOfFile: rules + "/nfskeeper.rules.test.yml", encoding: .utf8)
                .matches(of: /alertname: (\w+)/).map { String($0.1) })
        #expect(alerts.count >= 9 && alerts == unitTested)
    }

    /// Two real watchers of one share (`nfskeeper watch`, a canary a second each), one writing its textfile:
    /// Debian's node_exporter serves the pair's histogram, and its count is the watcher's own JSON figure.
    /// A local directory stands for the share: the watch needs no server view.
    @Test func nodeExporterServesTheWatchsPairHistogram() throws {
        let work = NSTemporaryDirectory() + "nfskeeper-watch-metrics-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: work + "/textfiles", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let common = ["--period", "1", "--duration", "6", "--json"]
        let a = try AgentProcess(["watch", work, "--node-name", "node-a", "--textfile",
                                  work + "/textfiles/nfskeeper_watch.prom"] + common)
        let b = try AgentProcess(["watch", work, "--node-name", "node-b"] + common)
        #expect(a.wait() == 0 && b.wait() == 0, "\(a.text)\(b.text)")
        let report = try JSONSerialization.jsonObject(with: Data(a.text.utf8)) as? [String: Any]
        let pair = try #require((report?["pairs"] as? [[String: Any]])?.first)
        let seen = try #require(pair["seen"] as? Int)
        #expect(pair["writer"] as? String == "node-b" && seen >= 3, "\(pair)")
        let (scraped, log) = try Self.scrape(work + "/textfiles")
        let samples = Self.samples(scraped)
        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples.first { s in s.name == name && labels.allSatisfy { s.labels[$0.key] == $0.value } }?.value
        }
        #expect(value("node_textfile_scrape_error") == 0 && !log.contains("level=error"), "\(log)")
        let labels = ["writer": "node-b", "reader": "node-a", "share": work]
        #expect(value("nfskeeper_visibility_pair_seconds_count", labels) == Double(seen))
        let infinite = labels.merging(["le": "+Inf"]) { $1 }
        #expect(value("nfskeeper_visibility_pair_seconds_bucket", infinite) == Double(seen))
        #expect(value("nfskeeper_visibility_pair_never_seen_total", labels) == 0)
        #expect(value("nfskeeper_watch_up", ["share": work]) == 0, "the watch stopped: its file says so")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: work + "/.nfskeeper/watch")) == [],
                "both watchers removed their canaries and directories")
        // The dashboard's pair matrix and p95 query what node_exporter served here (the histogram's series).
        let served = Set(samples.map(\.name))
        let queried = try Self.dashboardMetrics().filter(Self.isWatchMetric)
        #expect(queried.count >= 2 && queried.isSubset(of: served), "not served: \(queried.subtracting(served))")
    }

    /// A writer stopped (SIGSTOP) across a slot's start makes that canary late, and the reader says by how
    /// much: a delay falls short of the cache window by it (the kernel suite's judge allows it).
    @Test func aStalledWritersLateCanaryIsMeasured() async throws {
        let work = NSTemporaryDirectory() + "nfskeeper-watch-late-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let common = ["--period", "2", "--duration", "10", "--json"]
        let a = try AgentProcess(["watch", work, "--node-name", "node-a"] + common)
        let b = try AgentProcess(["watch", work, "--node-name", "node-b"] + common)
        try await Task.sleep(for: .seconds(3))
        // From 0.3 s before a slot begins until 1.2 s after it: node-b's canary of that slot comes 1.2 s late.
        let now = Date().timeIntervalSince1970
        let slotStart = (now / 2).rounded(.up) * 2
        try await Task.sleep(for: .seconds(slotStart - 0.3 - now))
        kill(b.pid, SIGSTOP)
        try await Task.sleep(for: .seconds(1.5))
        kill(b.pid, SIGCONT)
        let (statusA, statusB) = (await a.exited(), await b.exited())
        #expect(statusA == 0 && statusB == 0, "\(a.text)\(b.text)")
        func pair(_ text: String) throws -> PairDelays {
            try #require(try JSONDecoder().decode(WatchReport.self, from: Data(text.utf8)).pairs.first)
        }
        let ofB = try pair(a.text), ofA = try pair(b.text)
        #expect(ofB.writer == "node-b" && ofB.neverSeen == 0, "\(ofB)")
        #expect(try #require(ofB.maxLateSeconds) > 1.0 && ofB.maxLateSeconds! < 1.6, "\(ofB)")
        #expect(try #require(ofA.maxLateSeconds) < 0.5, "node-a ran on: \(ofA)")
    }

    /// Every metric name the shipped Grafana dashboard queries.
    static func dashboardMetrics() throws -> Set<String> {
        let dashboard = try String(contentsOfFile: repository + "/scripts/grafana/nfskeeper.json", encoding: .utf8)
        return Set(dashboard.matches(of: /nfskeeper_[a-z_]+/).map { String($0.0) })
    }

    static func isWatchMetric(_ name: String) -> Bool {
        name.hasPrefix("nfskeeper_visibility_pair_") || name.hasPrefix("nfskeeper_watch_")
    }

    /// One sample of the exposition format: name, labels, value.
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    static func samples(_ text: String) -> [Sample] {
        text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), let m = line.wholeMatch(of: /(\w+)(?:\{(.*)\})? (\S+)/) else { return nil }
            var labels: [String: String] = [:]
            for l in String(m.2 ?? "").matches(of: /(\w+)="((?:[^"\\]|\\.)*)"/) { labels[String(l.1)] = String(l.2) }
            return Sample(name: String(m.1), labels: labels, value: Double(String(m.3)) ?? .nan)
        }
    }

    /// The textfile directory the shipped timers write: the full audit's file and the quick audit's,
    /// both made by the real CLI against the test server, served by Debian's node_exporter 1.5.
    @Test func nodeExporterServesTheFullAndTheQuickAuditSideBySide() throws {
        let view = try FuseView(of: try TestServer.backingDirectory("rw"), options: ["negative_timeout=1"])
        let dir = TestServer.scratchName("monitoring")
        let backing = try TestServer.backingDirectory("rw") + dir
        let work = NSTemporaryDirectory() + "nfskeeper-monitoring-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: backing, withIntermediateDirectories: false,
            attributes: [.posixPermissions: 0o777])
        try FileManager.default.createDirectory(atPath: work + "/textfiles", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: work + "/nfs", withIntermediateDirectories: true)
        defer {
            view.unmount()
            try? FileManager.default.removeItem(atPath: backing)
            try? FileManager.default.removeItem(atPath: work)
        }
        var reports: [String: AuditReport] = [:], status: [String: Int32] = [:]
        for (mode, file, extra) in [
            ("full", "nfskeeper.prom", ["--samples", "1", "--max-wait", "3", "--fix"]),
            ("quick", "nfskeeper-quick.prom", ["--quick"]),
        ] {
            let agent = try AgentProcess(
                [
                    "audit", "--share", view.mountPoint + dir, "--allow-non-nfs",
                    "--server", try TestServer.url("rw").description, "--node-name", "monitoring-test",
                    "--rstudio-config", "/nonexistent", "--history", "none", "--no-fleet",
                    "--provision", "--owner", "daemon", "--prometheus", work + "/textfiles/" + file,
                    "--json-file", work + "/\(mode).json",
                ] + extra)
            status[mode] = agent.wait()
            reports[mode] = try JSONDecoder.iso8601.decode(
                AuditReport.self,
                from: Data(contentsOf: URL(fileURLWithPath: work + "/\(mode).json")))
        }
        let full = try #require(reports["full"]), quick = try #require(reports["quick"])

        let (scraped, log) = try Self.scrape(work + "/textfiles")
        let samples = Self.samples(scraped)
        func value(_ name: String, _ labels: [String: String]) -> Double? {
            samples.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?
                .value
        }
        #expect(value("node_textfile_scrape_error", [:]) == 0, "node_exporter refused the textfiles")
        // Two files with one series: node_exporter keeps one and logs "collected before" (issue 17).
        #expect(!log.contains("collected before") && !log.contains("level=error"), "\(log)")
        // Every family, from each mode that writes it; no series twice. A FUSE view has no NFS options
        // and no mountstats: the option and RPC families must then be absent, as the JSON says.
        for mode in ["full", "quick"] {
            let report = try #require(reports[mode]), share = try #require(report.shares.first)
            var families = [
                "nfskeeper_last_run_timestamp_seconds", "nfskeeper_audit_status", "nfskeeper_findings",
                "nfskeeper_first_verdict_hides_new_file", "nfskeeper_server_up",
                "nfskeeper_server_clock_offset_seconds", "nfskeeper_server_round_trip_seconds",
            ]
            if mode == "full" {
                families += ["nfskeeper_visibility_seconds", "nfskeeper_visibility_never_visible_trials"]
            }
            let nfsOnly = [
                "nfskeeper_mount_option_info", "nfskeeper_negative_lookup_window_seconds",
                "nfskeeper_mount_declaration_drift_options",
            ]
            for family in families { #expect(value(family, ["mode": mode]) != nil, "\(family){mode=\"\(mode)\"}") }
            for family in nfsOnly {
                #expect((value(family, ["mode": mode]) != nil) == (share.check?.effective != nil), "\(family)")
            }
            #expect((value("nfskeeper_probe_rpcs_per_sample", ["mode": mode]) != nil) == (share.probe?.cost != nil))
        }
        #expect(value("nfskeeper_visibility_seconds", ["mode": "quick"]) == nil)
        let keys = samples.filter { $0.name.hasPrefix("nfskeeper_") }.map {
            "\($0.name)\($0.labels.sorted { $0.key < $1.key })"
        }
        #expect(Set(keys).count == keys.count)
        // The values are the audits' own figures.
        let point = try #require(full.shares.first?.check?.mountPoint)
        let negative = try #require(full.shares.first?.probe?.scenarios.first { $0.scenario == .negativeLookup })
        #expect(
            value(
                "nfskeeper_visibility_seconds",
                [
                    "mode": "full", "mountpoint": point, "scenario": "negative-lookup",
                    "quantile": "0.95",
                ]) == negative.p95Seconds)
        #expect(
            value("nfskeeper_visibility_never_visible_trials", ["mode": "full", "scenario": "negative-lookup"])
                == Double(negative.neverVisible))
        #expect(value("nfskeeper_audit_status", ["mode": "full"]) == Double(status["full"] ?? -1))
        #expect(value("nfskeeper_audit_status", ["mode": "quick"]) == Double(status["quick"] ?? -1))
        #expect(
            value("nfskeeper_server_clock_offset_seconds", ["mode": "quick"])
                == quick.shares.first?.server?.clock?.offsetSeconds)
        #expect(value("nfskeeper_scratch_dir_ok", ["mode": "quick"]) == 1, "made by the full audit's --fix")
        let hides = try #require(quick.shares.first?.probe?.firstVerdict?.hidesNewFile)
        #expect(
            value("nfskeeper_first_verdict_hides_new_file", ["mode": "quick", "role": "generic"]) == (hides ? 1 : 0))
        let stamped = try #require(value("nfskeeper_last_run_timestamp_seconds", ["mode": "full"]))
        #expect(abs(stamped - full.time.timeIntervalSince1970) < 1)  // the JSON's ISO 8601 keeps whole seconds

        // A FUSE view has no NFS options: the families of a real NFS mount come from the guest's
        // /proc capture (Linux 6.1, default options) and an fstab that declares other options.
        try Self.nfsMountReport().prometheus.write(
            toFile: work + "/nfs/nfskeeper.prom", atomically: true, encoding: .utf8)
        let (nfsScraped, nfsLog) = try Self.scrape(work + "/nfs")
        #expect(!nfsLog.contains("level=error"), "\(nfsLog)")
        let nfs = Self.samples(nfsScraped)
        #expect(nfs.first { $0.name == "nfskeeper_mount_declaration_drift_options" }?.value == 1)
        #expect(nfs.first { $0.name == "nfskeeper_negative_lookup_window_seconds" }?.value == 60)
        #expect(nfs.first { $0.name == "nfskeeper_mount_option_info" }?.labels["lookupcache"] == "all")

        // Every metric the shipped dashboard queries is one node_exporter served above.
        let served = Set((samples + nfs).map(\.name))
        let queried = try Self.dashboardMetrics().filter { !Self.isWatchMetric($0) }
        #expect(queried.count >= 10 && queried.isSubset(of: served), "not served: \(queried.subtracting(served))")
    }

    /// An audit report of the guest's default-options NFS mount (a real kernel capture), whose fstab
    /// declares `lookupcache=pos`: the option families a FUSE view cannot produce.
    static func nfsMountReport() throws -> AuditReport {
        let fixtures = repository + "/Tests/UnitTests/Fixtures/"
        var declared = DeclaredMounts(root: "/nonexistent")
        declared.parseFstab("10.0.2.100:/rw /mnt/defaults nfs4 rw,hard,lookupcache=pos 0 0\n", file: "/etc/fstab")
        let capture = fixtures + "kernel-6.1-guest-defaults"
        let input = CheckInput(
            mountInfo: MountInfo(parsing: try String(contentsOfFile: capture + ".mountinfo", encoding: .utf8)),
            mountStats: MountStats(parsing: try String(contentsOfFile: capture + ".mountstats", encoding: .utf8)),
            declared: declared, kernel: nil, rules: MountRules(targetDelay: 5), serverOverride: nil)
        let check = try #require(Checker.run(paths: ["/mnt/defaults"], input).mounts.first)
        let share = ShareAudit(
            path: "/mnt/defaults", role: .packageManager, check: check, server: nil, scratch: nil, probe: nil,
            advice: nil, findings: check.findings, severity: check.findings.worst)
        return AuditReport(
            time: Date(), node: "nfs-node", version: "0", quick: false, shares: [share], findings: [],
            severity: share.severity)
    }

    /// Debian's node_exporter with only the textfile collector on `directory`: its /metrics and its log.
    static func scrape(_ directory: String) throws -> (String, String) {
        let port = try SilentServer.unusedPort()
        let log = directory + ".exporter.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let exporter = Process()
        exporter.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus-node-exporter")
        exporter.arguments = [
            "--collector.disable-defaults", "--collector.textfile",
            "--collector.textfile.directory=\(directory)", "--web.listen-address=127.0.0.1:\(port)",
        ]
        exporter.standardError = FileHandle(forWritingAtPath: log)
        try exporter.run()
        defer { exporter.terminate(); exporter.waitUntilExit() }
        var scraped = ""
        for _ in 0..<50 where !scraped.contains("node_textfile_scrape_error") {
            usleep(100_000)
            scraped = (try? run("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(port)/metrics"]).1) ?? ""
        }
        return (scraped, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// Parses a plugin's output the way the Monitoring Plugins guidelines define it, each perfdata item
    /// rebuilt with nagiosplugin's `Performance` (which must print it back the same) and judged with
    /// nagiosplugin's `Range` against its own thresholds.
    static let nagiosParser = #"""
        import json, re, sys
        import nagiosplugin
        text = sys.stdin.read()
        first, *long = text.rstrip("\n").split("\n")
        m = re.fullmatch(r"NFSKEEPER (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]*?)(?: \| (.*))?", first)
        assert m, first
        items = []
        item = r"'((?:[^']|'')+)'=([-+0-9.eE]+|U)([a-zA-Z%]*)((?:;[^; ]*){0,4})(?= |$)"
        for label, value, uom, rest in re.findall(item, m.group(3) or ""):
            fields = (rest[1:].split(";") if rest else []) + [""] * 4
            warn, crit, lo, hi = fields[:4]
            perf = nagiosplugin.Performance(label.replace("''", "'"), value, uom, warn, crit, lo, hi)
            again = re.fullmatch(r"'?(.+?)'?=(.*)", str(perf))
            assert again and again.group(1) == perf.label and again.group(2).startswith(value + uom), (str(perf), label)
            state = "ok"
            if value != "U":
                if crit and not nagiosplugin.Range(crit).match(float(value)): state = "critical"
                elif warn and not nagiosplugin.Range(warn).match(float(value)): state = "warning"
            items.append({"label": perf.label, "value": value, "uom": uom, "warn": warn, "crit": crit, "state": state})
        assert len(items) == (m.group(3) or "").count("="), "unparsed perfdata: " + (m.group(3) or "")
        print(json.dumps({"status": m.group(1), "summary": m.group(2), "perfdata": items, "long": long}))
        """#

    struct Parsed: Decodable {
        struct Item: Decodable {
            var label: String; var value: String; var uom: String; var warn: String; var crit: String; var state: String
        }
        var status: String
        var summary: String
        var perfdata: [Item]
        var long: [String]
    }

    static func parseNagios(_ output: String) throws -> Parsed {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", nagiosParser]
        let (input, out) = (Pipe(), Pipe())
        (process.standardInput, process.standardOutput) = (input, out)
        try process.run()
        input.fileHandleForWriting.write(Data(output.utf8))
        try input.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONDecoder().decode(Parsed.self, from: data)
    }

    @Test func nagiosStatusLinesParseAndTheirThresholdsAgree() throws {
        let fixtures = Self.repository + "/Tests/UnitTests/Fixtures/"
        let check = try AgentProcess([
            "check", "--nagios", "--mountinfo", fixtures + "kernel-6.1-guest-defaults.mountinfo",
            "--mountstats", fixtures + "kernel-6.1-guest-defaults.mountstats",
        ])
        #expect(check.wait() == 1)
        let parsed = try Self.parseNagios(check.text)
        #expect(parsed.status == "WARNING" && parsed.summary.hasPrefix("negative-lookup:") && !parsed.long.isEmpty)
        let window = try #require(parsed.perfdata.first { $0.label == "neg_lookup_window" })
        #expect(window.value == "60" && window.uom == "s" && window.warn == "5" && window.state == "warning")

        let pos = try AgentProcess([
            "check", "--nagios", "--mountinfo", fixtures + "kernel-6.1-guest-pos.mountinfo",
            "--mountstats", fixtures + "kernel-6.1-guest-pos.mountstats",
        ])
        let posStatus = pos.wait()
        let posParsed = try Self.parseNagios(pos.text)
        #expect(posParsed.perfdata.first { $0.label == "neg_lookup_window" }?.state == "ok")
        #expect(["OK", "WARNING", "CRITICAL", "UNKNOWN"][Int(posStatus)] == posParsed.status)

        // Usage and internal errors: one UNKNOWN line, exit 3.
        for arguments in [
            ["check", "--nagios", "--timeout", "nan"], ["audit", "--nagios", "--config", "/nonexistent.yaml"],
        ] {
            let agent = try AgentProcess(arguments, errorsToo: true)
            #expect(agent.wait() == 3)
            #expect(try Self.parseNagios(agent.text).status == "UNKNOWN", "\(agent.text)")
        }
    }

    @Test func aQuickAuditsNagiosPerfdataIsItsJSON() throws {
        let view = try FuseView(of: try TestServer.backingDirectory("rw"), options: ["negative_timeout=1"])
        let dir = TestServer.scratchName("nagios")
        let backing = try TestServer.backingDirectory("rw") + dir
        try FileManager.default.createDirectory(
            atPath: backing, withIntermediateDirectories: false,
            attributes: [.posixPermissions: 0o777])
        defer {
            view.unmount()
            try? FileManager.default.removeItem(atPath: backing)
        }
        let agent = try AgentProcess([
            "audit", "--nagios", "--quick", "--share", view.mountPoint + dir, "--allow-non-nfs",
            "--server", try TestServer.url("rw").description, "--node-name", "nagios-test",
            "--rstudio-config", "/nonexistent", "--history", "none", "--no-fleet",
        ])
        let status = agent.wait()
        let parsed = try Self.parseNagios(agent.text)
        #expect(["OK", "WARNING", "CRITICAL", "UNKNOWN"][Int(status)] == parsed.status, "\(agent.text)")
        let clock = try #require(parsed.perfdata.first { $0.label == "clock_offset" })
        #expect(clock.uom == "s" && clock.warn == "-1:1" && clock.crit == "-30:30" && clock.state == "ok")
        #expect(parsed.perfdata.contains { $0.label == "first_verdict_hides" })
        #expect(parsed.perfdata.contains { $0.label == "findings_crit" && $0.crit == "0" })
        let worst =
            parsed.perfdata.map(\.state).contains("critical")
            ? "CRITICAL"
            : parsed.perfdata.map(\.state).contains("warning") ? "WARNING" : "OK"
        #expect(
            ["OK", "WARNING", "CRITICAL", "UNKNOWN"].firstIndex(of: parsed.status)!
                >= ["OK", "WARNING", "CRITICAL"].firstIndex(of: worst)!, "perfdata worse than the status")
    }
}
