import Probe
import Glibc
import FoundationGaps
import Advice
import ArgumentParser
import Audit
import Fleet
import ServerView
import FoundationEssentials
import KernelView
import Reports

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check, verify the scratch directory, probe and advise in one run: made for a timer.",
        discussion: """
            For every share in /etc/nfskeeper/config.yaml (or the share named): the mount options (check), \
            the server (reachable, clock offset), the launcher scratch directory (verified; created \
            or repaired only with --fix), a bounded probe and the advice. Writes the report as JSON \
            (--json FILE), as node_exporter textfile-collector metrics (--prometheus FILE, written to \
            a temporary file and renamed) and appends a line per share to the history \
            (/var/lib/nfskeeper/history.jsonl; see `nfskeeper history`).

            --quick measures only the probe's first verdict (does the mount hide a new file under a \
            name it looked up?): options, server, clock, scratch directory and that measured yes/no, \
            in about two seconds, for frequent runs. Exit codes as Nagios expects: 0 ok, 1 warning, \
            2 critical, 3 unknown.

            Examples:
              nfskeeper audit
              nfskeeper audit --quick --prometheus /var/lib/prometheus/node-exporter/nfskeeper.prom
              nfskeeper audit /mnt/shared --role workbench-scratch --provision --fix
              nfskeeper audit /mnt/shared --quick --json
            """
    )

    @Option(help: ArgumentHelp("The configuration file.", valueName: "file"))
    var config = "/etc/nfskeeper/config.yaml"

    @Argument(help: ArgumentHelp("Audit this share instead of the configured ones.", valueName: "share"))
    var sharePath: String?

    @Option(name: .customLong("share"), help: .hidden)  // the earlier spelling, still accepted
    var shareOption: String?

    var share: String? { sharePath ?? shareOption }

    @Option(help: ArgumentHelp("With a share: what it holds.", valueName: "role"))
    var role: Role?

    @Flag(help: "With a share: verify the launcher scratch directory <share>/<cluster>.")
    var provision = false

    @Option(help: "With a share: the scratch directory's owner.")
    var owner: String?

    @Option(help: ArgumentHelp("With a share: the server view's URL (FUSE or bind mounts).", valueName: "url"),
            transform: parseServerURL)
    var server: ServerURL?

    @Flag(help: "With a share: accept a mount that is not NFS (test setups).")
    var allowNonNFS = false

    @Flag(help: "Create or repair the scratch directory instead of only reporting it.")
    var fix = false

    @Flag(help: "The probe's first verdict only: options, server, clock, scratch directory and a measured yes/no.")
    var quick = false

    @Flag(help: "Print the full report as one JSON document on standard output instead of text.")
    var json = false

    @Option(help: ArgumentHelp("Also write the full report as JSON to this file.", valueName: "file"))
    var jsonFile: String?

    /// Where the JSON goes: "-" for standard output.
    var jsonPath: String? { json ? "-" : jsonFile }

    @Option(help: ArgumentHelp("Write Prometheus textfile-collector metrics to this file.", valueName: "file"))
    var prometheus: String?

    @Option(help: ArgumentHelp("Append to this history file (JSON lines); 'none' for no history.", valueName: "file"))
    var history: String?

    @Option(help: ArgumentHelp("Probe trials per scenario.", valueName: "n"))
    var samples: Int?

    @Option(help: ArgumentHelp("Seconds a probe trial waits at most.", valueName: "seconds"))
    var maxWait: Double?

    @Option(help: ArgumentHelp("Seconds any single NFS call may take.", valueName: "seconds"))
    var timeout: Double?

    @Option(help: ArgumentHelp("This node's name in file names; defaults to the host name.", valueName: "name"))
    var nodeName: String?

    @Option(help: ArgumentHelp("Look for fstab, systemd units and autofs maps below this directory.", valueName: "dir"))
    var root: String?

    @Option(
        help: ArgumentHelp("Workbench's configuration directory (launcher.conf, database.conf…).", valueName: "dir"))
    var rstudioConfig: String?

    @Option(
        help: ArgumentHelp(
            "The launcher address other nodes should reach (default: launcher.conf, else the host name).",
            valueName: "host"))
    var launcherAddress: String?

    @Option(help: ArgumentHelp("The launcher port (default: launcher.conf, else 5559).", valueName: "port"))
    var launcherPort: Int?

    @Option(help: ArgumentHelp("Workbench's port other nodes should reach (default: rserver.conf's www-port, "
                               + "8787 when unset).", valueName: "port"))
    var wwwPort: Int?

    @Flag(help: "Do not write this node's report into the share for `nfskeeper fleet`.")
    var noFleet = false

    @Flag(help: "Print a Monitoring Plugins status line with performance data (Nagios, Icinga); errors exit 3.")
    var nagios = false

    func validate() throws {
        if sharePath != nil && shareOption != nil { throw ValidationError("give the share once") }
        if json, let sharePath, sharePath.hasSuffix(".json") {
            throw ValidationError("--json is a flag (JSON on standard output); to write a file: "
                                  + "--json-file \(sharePath)")
        }
        if json && jsonFile != nil { throw ValidationError("--json and --json-file exclude each other") }
        if share == nil && (role != nil || provision || owner != nil || server != nil || allowNonNFS) {
            throw ValidationError("--role, --provision, --owner, --server and --allow-non-nfs go with a share")
        }
        if let samples, !(1...100).contains(samples) { throw ValidationError("--samples must be between 1 and 100") }
        try checkRange(maxWait, "--max-wait", 0.1...3600, unit: "s")
        try checkRange(timeout, "--timeout", 0.1...3600, unit: "s")
        try checkNodeName(nodeName)
        if nagios && json { throw ValidationError("--nagios and --json exclude each other") }
        if let launcherPort, !(1...65535).contains(launcherPort) {
            throw ValidationError("--launcher-port must be 1 to 65535")
        }
        if let wwwPort, !(1...65535).contains(wwwPort) { throw ValidationError("--www-port must be 1 to 65535") }
    }

    func run() async throws {
        let settings = try loadSettings()
        var options = try auditorOptions(settings)
        let progress = Progress(enabled: Terminal.standardErrorIsTerminal && settings.jsonPath != "-" && !nagios)
        if progress.enabled { options.probeProgress = { share, p in progress.showProbe(Terminal.visible(share), p) } }
        let immutable = options
        progress.show("auditing \(settings.shares.map(\.path).joined(separator: ", "))…")
        let removed = { (r: AuditReport) in r.shares.compactMap(\.probe?.removedAtEnd).reduce(0, +) }
        let report = try await runInterruptible(removed: removed) { await Auditor.run(immutable) }
        progress.clear()
        let failures = try writeOutputs(report, settings)
        printResult(report, settings, failures: failures)
        throw ExitCode(
            failures.isEmpty ? report.severity.exitCode : max(report.severity.exitCode, Severity.unknown.exitCode))
    }

    /// The configuration file, with the flags given on the command line over it.
    func loadSettings() throws -> AuditConfig {
        var settings: AuditConfig
        do {
            settings = try AuditConfig.load(config, required: config != "/etc/nfskeeper/config.yaml")
        } catch {
            if nagios {
                print("NFSKEEPER UNKNOWN - \(error.description)")
            } else {
                writeStandardError("nfskeeper audit: \(error.description)\n")
            }
            throw ExitCode(Severity.unknown.exitCode)
        }
        if let share {
            var s = AuditConfig.Share(path: share)
            if let role { s.role = role }
            if let owner { s.owner = owner }
            s.server = server
            (s.allowNonNFS, s.provision) = (allowNonNFS, provision)
            settings.shares = [s]
        }
        if let samples { settings.probeSamples = samples }
        if let maxWait { settings.probeMaxWait = maxWait }
        if let timeout { settings.timeout = timeout }
        if let jsonPath { settings.jsonPath = jsonPath }
        if let prometheus { settings.prometheusPath = prometheus }
        if let history { settings.historyPath = history == "none" ? nil : history }
        return settings
    }

    /// What the auditor is told: the node, the mode, the root, the launcher and www ports.
    func auditorOptions(_ settings: AuditConfig) throws -> Auditor.Options {
        let node = nodeName ?? settings.nodeName ?? ProcessInfo.processInfo.hostName
        guard (try? NodeName(node)) != nil else {  // only the host name can still be invalid here
            let message =
                "nfskeeper audit: the host name \(node) is not a node name: "
                + "set node_name in the configuration or pass --node-name\n"
            writeStandardError(message)
            throw ExitCode(Severity.unknown.exitCode)
        }
        var options = Auditor.Options(config: settings, node: node)
        (options.quick, options.fix) = (quick, fix)
        options.root = root ?? ProcessInfo.processInfo.environment["NFSKEEPER_ROOT"] ?? "/"
        if let rstudioConfig { options.config.rstudioConfig = rstudioConfig }
        (options.launcherAddress, options.launcherPort, options.fleet) = (launcherAddress, launcherPort, !noFleet)
        options.wwwPort = wwwPort
        return options
    }

    /// The JSON document, the Prometheus textfile and the history line; what could not be written.
    func writeOutputs(_ report: AuditReport, _ settings: AuditConfig) throws -> [String] {
        var failures: [String] = []
        func attempt(_ what: String, _ body: () throws -> Void) {
            do { try body() } catch { failures.append("\(what): \(error)") }
        }
        if let path = settings.jsonPath {
            let document = try encodeEnvelope("audit", report, severity: report.severity,
                                              findings: report.findings + report.shares.flatMap(\.findings))
            if path == "-" {
                print(document)
            } else {
                attempt(path) { try writeAtomically(document + "\n", to: path, mode: 0o600) }
            }
        }
        if let path = settings.prometheusPath { attempt(path) { try writeAtomically(report.prometheus, to: path) } }
        if let path = settings.historyPath { attempt(path) { try History.append(report.historyLines, to: path) } }
        return failures
    }

    /// The Nagios line or the text report, then what could not be written (status and exit code agree).
    func printResult(_ report: AuditReport, _ settings: AuditConfig, failures: [String]) {
        if nagios {
            var status = report.nagios(targetDelay: Double(settings.targetDelay))
            status.longOutput += failures.map { "could not write \($0)" }
            if !failures.isEmpty { status.severity = max(status.severity, .unknown) }
            print(status.text)
        } else if settings.jsonPath != "-" {
            print(report.textReport())
            // The status printed above is the audit's; the exit code also counts the outputs.
            if !failures.isEmpty {
                print("Exit: 3 (UNKNOWN): \(failures.count) output(s) could not be written, see below")
            }
        }
        for f in failures { writeStandardError("nfskeeper audit: could not write \(f)\n") }
        if !failures.isEmpty && geteuid() != 0 {
            let hint = "nfskeeper audit: not run as root: pass --history none, "
                + "or --prometheus/--json paths this user may write\n"
            writeStandardError(hint)
        }
    }
}

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the trend of past audits per mount: did the delay drop after the remount?",
        usage: "nfskeeper history [<options>]",
        discussion: """
            Examples:
              nfskeeper history
              nfskeeper history --mount /mnt/shared --last 20
              nfskeeper history --json
            """
    )

    @Option(help: ArgumentHelp("The history file audits append to.", valueName: "file"))
    var file = "/var/lib/nfskeeper/history.jsonl"

    @Option(help: ArgumentHelp("Only this mount point.", valueName: "path"))
    var mount: String?

    @Option(help: "Show at most this many of the latest entries (1-100000).")
    var last = 50

    @Flag(help: "JSON instead of a table.")
    var json = false

    func validate() throws {
        guard (1...100_000).contains(last) else {
            throw ValidationError("--last must be between 1 and 100000, not \(last)")
        }
    }

    func run() throws {
        let (all, skipped) = History.read(file)
        let entries = Array(all.filter { mount == nil || $0.mountPoint == mount }.suffix(last))
        if json {
            let skippedLines = "\(skipped) line(s) of \(file) are not history entries: skipped"
            let problems = skipped == 0 ? [] : [Finding(.warn, "history", subject: file, skippedLines)]
            print(try encodeEnvelope("history", ["entries": entries], severity: problems.worst, findings: problems))
            throw ExitCode(problems.worst.exitCode)
        }
        guard !entries.isEmpty else { print("no history in \(file)"); return }
        var table = TextTable(headers: ["TIME", "NODE", "MOUNT", "CACHE", "NEG P95", "LIST P95", "CLOCK", "SCRATCH",
                                        "STATUS"])
        for e in entries {
            let cache = [e.lookupcache, e.acdirmax.map { "acdirmax \($0)" }].compactMap { $0 }.joined(separator: " ")
            table.add([
                // A space, not a T: where a narrow column may wrap.
                TextTable.Cell(utcText(e.time.timeIntervalSince1970, "%Y-%m-%d %H:%M:%SZ")), TextTable.Cell(e.node),
                TextTable.Cell(e.mountPoint),
                TextTable.Cell(cache.isEmpty ? "-" : cache),
                TextTable.Cell(e.negativeLookupP95Seconds.map(formatSeconds) ?? "-"),
                TextTable.Cell(e.listingP95Seconds.map(formatSeconds) ?? "-"),
                TextTable.Cell(e.clockOffsetSeconds.map(formatSeconds) ?? "-"),
                TextTable.Cell(e.scratchDirectoryOK.map { $0 ? "ok" : "wrong" } ?? "-"),
                TextTable.Cell(e.severity.description, severity: e.severity),
            ])
        }
        print(table.render())
        if skipped > 0 { print("(\(skipped) unreadable lines skipped)") }
    }
}

struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "The whole cluster's view, from the node reports every audit writes into the share.",
        usage: "nfskeeper fleet <share> [<options>]",
        discussion: """
            Each `nfskeeper audit` writes this node's report into <share>/.nfskeeper/nodes/<node>.json: \
            mount options, scratch directory, clock offset to the server, measured visibility, SHA-256 \
            of launcher.conf, launcher.local.conf, database.conf, rserver.conf and rstudio-pm.gcfg \
            (hashes only: database.conf holds a password), and whether it can reach every other \
            node's launcher. `fleet` shows one row per node, marks stale nodes, highlights option \
            and configuration drift from the majority, and prints the launcher reachability matrix.

            Exit codes as audit: 0 ok, 1 warning, 2 critical, 3 unknown.

            Examples:
              nfskeeper fleet /mnt/shared
              nfskeeper fleet /mnt/shared --json
            """
    )

    @Argument(help: "The shared directory (as mounted on this node).")
    var share: String

    @Option(help: ArgumentHelp("A node whose last report is older than this is stale.", valueName: "seconds"))
    var staleAfter: Double = FleetReport.defaultStaleAfter

    @OptionGroup var common: CommonOptions

    func validate() throws {
        try checkRange(staleAfter, "--stale-after", 1...31_536_000, unit: "s")
    }

    func run() async throws {
        let directory = NodeDirectory(share: share, kernel: KernelView(timeout: common.timeoutDuration))
        let (reports, problems) = directory.readAll()
        let fleet = FleetReport.build(share: share, reports: reports, problems: problems,
                                      watches: directory.readWatchSummaries(), staleAfter: staleAfter)
        print(common.json ? try encodeEnvelope("fleet", fleet, severity: fleet.severity, findings: fleet.findings)
                          : fleet.textReport())
        throw ExitCode(fleet.severity.exitCode)
    }
}
