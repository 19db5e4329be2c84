import Foundation
import Testing
import Locks
@testable import Advice
@testable import Audit
@testable import Probe
import Reports

/// Exposition-format rules the node_exporter textfile collector enforces, checked line by line.
func validatePrometheus(_ text: String) -> [String] {
    var problems: [String] = []
    var typed: [String: String] = [:]
    var seenSamples = Set<String>()
    let name = #"[a-zA-Z_:][a-zA-Z0-9_:]*"#
    let label = #"[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*""#
    let sample = try! NSRegularExpression(pattern: "^(\(name))(\\{(\(label))(,\(label))*\\})? (\\S+)$")
    guard text.hasSuffix("\n") else { return ["no final newline"] }
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) {
        if line.hasPrefix("# HELP ") { continue }
        if line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            guard parts.count == 4, ["gauge", "counter", "untyped", "summary", "histogram"].contains(parts[3]) else {
                problems.append("bad TYPE: \(line)"); continue
            }
            if typed[String(parts[2])] != nil { problems.append("TYPE twice: \(line)") }
            typed[String(parts[2])] = String(parts[3])
            continue
        }
        let range = NSRange(line.startIndex..., in: line)
        guard let m = sample.firstMatch(in: line, range: range), let nameRange = Range(m.range(at: 1), in: line),
            let valueRange = Range(m.range(at: m.numberOfRanges - 1), in: line)
        else { problems.append("not a sample: \(line)"); continue }
        let metric = String(line[nameRange])
        if typed[metric] == nil { problems.append("sample before its TYPE: \(line)") }
        let value = String(line[valueRange])
        if Double(value) == nil && !["NaN", "+Inf", "-Inf"].contains(value) { problems.append("bad value: \(line)") }
        let series = String(line[..<line.lastIndex(of: " ")!])
        if !seenSamples.insert(series).inserted { problems.append("duplicate series: \(series)") }
    }
    return problems
}

@Suite struct PrometheusTextTests {
    @Test func labelValuesAreEscapedAndEachMetricTypedOnce() {
        var p = PrometheusText()
        p.add("nfskeeper_x", help: "x", labels: [("mountpoint", "/mnt/a \"b\"\\c\nd")], value: 1.5)
        p.add("nfskeeper_x", help: "x", labels: [("mountpoint", "/mnt/e")], value: .nan)
        p.add("nfskeeper_y", help: "y", value: 3)
        #expect(
            p.text == """
                # HELP nfskeeper_x x
                # TYPE nfskeeper_x gauge
                nfskeeper_x{mountpoint="/mnt/a \\"b\\"\\\\c\\nd"} 1.5
                nfskeeper_x{mountpoint="/mnt/e"} NaN
                # HELP nfskeeper_y y
                # TYPE nfskeeper_y gauge
                nfskeeper_y 3

                """)
        #expect(validatePrometheus(p.text).isEmpty)
        #expect(!validatePrometheus("nfskeeper_z 1\n").isEmpty)  // the validator can fail
    }
}

@Suite struct AuditConfigTests {
    /// A mistyped server URL was ignored (`try?`): the audit then used the URL derived from the mount.
    @Test func aBadServerURLIsAnErrorNamingTheLine() throws {
        do {
            _ = try AuditConfig(parsing: "shares:\n  - path: /mnt/a\n    server: nfs1/srv/share\n", file: "c.yaml")
            Issue.record("a server URL without nfs:// was accepted")
        } catch {
            #expect(error.line == 3 && error.reason.contains("must be nfs://HOST/EXPORT or HOST:/EXPORT"), "\(error)")
        }
        let cli = try AgentProcess(["audit", "--share", "/mnt/a", "--server", "nfs1/srv/share"], errorsToo: true)
        #expect(cli.wait() == 64 && cli.text.contains("must be nfs://HOST/EXPORT or HOST:/EXPORT"))
    }

    @Test func readsAFullConfiguration() throws {
        let c = try AuditConfig(
            parsing: """
                node_name: rsw-1
                target_delay: 10
                shares:
                  - path: /mnt/shared
                    role: workbench-scratch
                    owner: rstudio-server
                    provision: true
                    mode: 0750
                  - path: /var/lib/rstudio-pm
                    role: package-manager
                probe:
                  samples: 6
                  scenarios: [negative-lookup]
                output:
                  prometheus: /var/lib/prometheus/node-exporter/nfskeeper.prom
                  history: none
                """, file: "config.yaml")
        #expect(c.nodeName == "rsw-1" && c.targetDelay == 10)
        #expect(c.shares.map(\.path) == ["/mnt/shared", "/var/lib/rstudio-pm"])
        #expect(c.shares[0].role == .workbenchScratch && c.shares[0].provision && c.shares[0].mode == 0o750)
        #expect(c.shares[1].role == .packageManager && !c.shares[1].provision)
        #expect(c.probeSamples == 6 && c.probeScenarios == [.negativeLookup])
        #expect(c.prometheusPath?.hasSuffix("nfskeeper.prom") == true && c.historyPath == nil)
        #expect(try AuditConfig(parsing: "", file: "empty.yaml").shares.isEmpty)
    }

    @Test(arguments: [
        ("target_delay: 5\nshares: [\n  - path: /x\n", 3),  // YAML syntax
        ("shares:\n  - path: /x\n    role: database\n", 3),  // unknown role
        ("shares:\n  - path: /x\n  - path: /y\n    colour: blue\n", 4),  // unknown key, second share
        ("timeout: -1\n", 1),
        ("shares:\n  - path: relative\n", 2),
        ("probe:\n  scenarios: [telepathy]\n", 2),
        ("shares:\n  - path: /x\n    mode: rwxr-xr-x\n", 3),
        ("[\\éLOOKUP:What=actimeo=tcp-fstype=nfs4/-", 2),  // made TOMLKit abort; libyaml finds the open [ at the end
    ])
    func aBadFileIsAnErrorNamingTheLine(_ text: String, _ line: Int) {
        let error = #expect(throws: AuditConfig.Invalid.self) {
            try AuditConfig(parsing: text, file: "/etc/nfskeeper/config.yaml")
        }
        #expect(error?.line == line, "\(error?.description ?? "")")
        #expect(error?.description.hasPrefix("/etc/nfskeeper/config.yaml:\(line): ") == true)
    }

    @Test func theShippedExampleConfigurationParses() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../scripts/nfskeeper.example.yaml"
        ).standardized.path
        let c = try AuditConfig.load(example, required: true)
        #expect(c.shares.count == 2 && c.shares[0].provision && c.prometheusPath != nil)
    }

    @Test func aMissingDefaultFileIsAnEmptyConfigurationAndAMissingGivenOneAnError() throws {
        #expect(try AuditConfig.load("/nonexistent/config.yaml", required: false).shares.isEmpty)
        #expect(throws: AuditConfig.Invalid.self) { try AuditConfig.load("/nonexistent/config.yaml", required: true) }
    }
}

/// The whole audit against ganesha, with a bindfs view that keeps misses 1 s.
@Suite struct AuditEndToEndTests {
    @Test func aFullAuditWritesValidMetricsHistoryAndJSON() async throws {
        // attr_timeout=0: a link's new count shows at once, as NFS shows it after link(2).
        let view = try FuseView(
            of: try TestServer.backingDirectory("rw"),
            options: ["negative_timeout=1", "attr_timeout=0"])
        let dir = TestServer.scratchName("audit")
        let backing = try TestServer.backingDirectory("rw") + dir
        try FileManager.default.createDirectory(
            atPath: backing, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        defer {
            view.unmount()
            try? FileManager.default.removeItem(atPath: backing)
        }
        var config = AuditConfig()
        var share = AuditConfig.Share(path: view.mountPoint + dir)
        (share.role, share.owner, share.provision, share.allowNonNFS) = (.workbenchScratch, "daemon", true, true)
        share.server = try TestServer.url("rw")
        config.shares = [share]
        config.probeSamples = 3
        config.probeMaxWait = 4
        config.rstudioConfig = "/nonexistent"
        var options = Auditor.Options(config: config, node: "audit-test")
        options.fix = true

        let report = await Auditor.run(options)
        let audited = try #require(report.shares.first)
        #expect(audited.scratchDirectoryOK == true)
        #expect(audited.server?.reachable == true)
        let negative = try #require(
            audited.probe?.scenarios.first { $0.scenario == .negativeLookup }?.medianSeconds,
            "\(audited.findings)")
        #expect(negative > 0.7 && negative < 2.0)
        #expect(report.severity.exitCode == 0)

        let problems = validatePrometheus(report.prometheus)
        #expect(problems.isEmpty, "\(problems)")
        let scratchSeries = "nfskeeper_scratch_dir_ok{mode=\"full\",path=\"\(view.mountPoint + dir)/Local\"} 1"
        #expect(report.prometheus.contains(scratchSeries))
        #expect(report.prometheus.contains("scenario=\"negative-lookup\",quantile=\"0.95\""))
        // A FUSE view's locks are node-local: measured, and (allow_non_nfs) an info, not an alarm.
        let locks = try #require(audited.locks)
        #expect(locks.advisory == .local && locks.linkBased == .works && !locks.reused)
        #expect(audited.findings.contains { $0.rule == "locks-local" && $0.severity == .info })
        #expect(report.prometheus.contains("nfskeeper_locks_coherent{mode=\"full\",mountpoint=\""))

        let history = NSTemporaryDirectory() + "nfskeeper-history-\(UUID().uuidString)/history.jsonl"
        defer { try? FileManager.default.removeItem(atPath: (history as NSString).deletingLastPathComponent) }
        try History.append(report.historyLines, to: history)
        try History.append(report.historyLines + ["not json"], to: history)
        let (entries, skipped) = History.read(history)
        #expect(entries.count == 2 && skipped == 1)
        #expect(entries[0].negativeLookupP95Seconds != nil && entries[0].scratchDirectoryOK == true)
        #expect(entries[0].locks?.advisory == .local)

        let json = try encodeJSON(report)
        let decoded = try JSONDecoder.iso8601.decode(AuditReport.self, from: Data(json.utf8))
        #expect(decoded.shares.first?.probe?.scenarios.count == 2)

        // A second, quick audit without --fix: the first verdict only, nothing to do.
        options.fix = false
        options.quick = true
        options.config.historyPath = history
        let quick = await Auditor.run(options)
        let reused = try #require(quick.shares.first?.locks)
        #expect(reused.reused && reused.advisory == .local)
        #expect(abs(reused.measuredAt.timeIntervalSince(locks.measuredAt)) < 1)
        #expect(reused.findings.allSatisfy { $0.message.contains("measured by the full audit at") })
        #expect(quick.prometheus.contains("nfskeeper_locks_coherent{mode=\"quick\",mountpoint=\""))
        #expect(
            quick.shares.first?.probe?.scenarios.isEmpty == true && quick.shares.first?.scratchDirectoryOK == true,
            "\(quick.shares.first?.findings ?? [])")
        // The view keeps misses 1 s, as long as the verdict watches: hidden for the watch, or for most of it.
        let verdict = try #require(quick.shares.first?.probe?.firstVerdict)
        #expect(verdict.hidesNewFile || (verdict.seenAfterSeconds ?? 0) > 0.5, "\(verdict)")
        #expect(quick.prometheus.contains("nfskeeper_first_verdict_hides_new_file{"))
        #expect(quick.prometheus.contains("nfskeeper_audit_status{mode=\"quick\"} \(quick.severity.exitCode)"))
    }

    @Test func noShareIsUnknown() async {
        let report = await Auditor.run(Auditor.Options(config: AuditConfig(), node: "audit-test"))
        #expect(report.severity == .unknown && report.severity.exitCode == 3)
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}

/// Connect's DataDir on a root-squashed share: the audit knows both the squash and Connect's configuration.
@Suite struct ConnectSquashTests {
    @Test(arguments: [("squash", true), ("rw", false)])
    func connectsDataDirOnARootSquashedShareIsCritical(_ export: String, _ found: Bool) async throws {
        let view = try FuseView(of: try TestServer.backingDirectory(export), options: ["attr_timeout=0"])
        let dir = TestServer.scratchName("connect")
        let backing = try TestServer.backingDirectory(export) + dir
        try FileManager.default.createDirectory(
            atPath: backing, withIntermediateDirectories: false,
            attributes: [.posixPermissions: 0o777])
        let root = NSTemporaryDirectory() + "nfskeeper-connect-\(UUID().uuidString)"
        try FileManager.default.createDirectory(
            atPath: root + "/etc/rstudio-connect",
            withIntermediateDirectories: true)
        try "[Server]\nDataDir = \(view.mountPoint + dir)/connect\n[Database]\nProvider = postgres\n"
            .write(toFile: root + "/etc/rstudio-connect/rstudio-connect.gcfg", atomically: true, encoding: .utf8)
        defer {
            view.unmount()
            try? FileManager.default.removeItem(atPath: backing)
            try? FileManager.default.removeItem(atPath: root)
        }
        var config = AuditConfig()
        var share = AuditConfig.Share(path: view.mountPoint + dir)
        (share.allowNonNFS, share.locks, share.server) = (true, false, try TestServer.url(export))
        config.shares = [share]
        config.rstudioConfig = "/nonexistent"
        var options = Auditor.Options(config: config, node: "connect-test")
        (options.quick, options.fleet, options.root) = (true, false, root)
        let report = await Auditor.run(options)
        let audited = try #require(report.shares.first)
        #expect(audited.server?.rootSquash?.squashed == found)
        let rule = audited.findings.first { $0.rule == "connect-root-squash" }
        #expect((rule != nil) == found, "\(audited.findings.map(\.rule))")
        #expect(rule.map { $0.severity == .crit } ?? true)
    }
}
