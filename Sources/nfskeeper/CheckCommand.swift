import FoundationGaps
import ArgumentParser
import Audit
import Check
import FoundationEssentials
import KernelView
import Mounts
import Reports
import ServerView

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Judge the live NFS mount options of shared directories.",
        usage: "nfskeeper check [<paths> ...] [<options>]",
        discussion: """
            For each PATH (default: every NFS mount), finds the mount that holds it in \
            /proc/self/mountinfo, applies the kernel's defaults to its options, and reports what \
            matters for a directory several nodes share: the NFS version, soft mounts, node-local \
            locks, nocto, sync and noac, and above all how long a file another node creates stays \
            invisible here when this node already looked its name up (lookupcache with acdirmin and \
            acdirmax). It also compares the live options with /etc/fstab, systemd .mount units and \
            autofs maps: changed cache options need an umount and mount, never just a remount.

            Offline: give a customer's saved copies with --mountinfo and --mountstats (either alone; \
            '-' reads standard input). PATHs are then matched as text, never touched.

            Examples:
              nfskeeper check /var/lib/rstudio-pm
              nfskeeper check --json
              nfskeeper check --mountinfo bundle/mountinfo --mountstats bundle/mountstats
            """
    )

    @Argument(help: "Paths on NFS to check; default: every NFS mount.")
    var paths: [String] = []

    @OptionGroup var source: MountSourceOptions

    @Option(
        help: ArgumentHelp(
            "Longest acceptable delay, in seconds, before another node's new file is visible.", valueName: "seconds"))
    var targetDelay = 5

    @Option(
        help: ArgumentHelp(
            "The server view's URL, instead of the one derived from the mount (FUSE or bind "
                + "mounts).", valueName: "url"), transform: parseServerURL)
    var server: ServerURL?

    @Flag(name: .shortAndLong, help: "Also list the options that are fine.")
    var verbose = false

    @Flag(help: "Print a Monitoring Plugins status line with performance data (Nagios, Icinga); errors exit 3.")
    var nagios = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard targetDelay >= 0 else { throw ValidationError("--target-delay must not be negative") }
        if nagios && common.json { throw ValidationError("--nagios and --json exclude each other") }
    }

    func run() async throws {
        let input: CheckInput
        do {
            input = try source.checkInput(
                timeout: common.timeoutDuration, rules: MountRules(targetDelay: targetDelay),
                server: server)
        } catch let error as InputError {
            if nagios {
                print("NFSKEEPER UNKNOWN - \(error)")
            } else {
                writeStandardError("nfskeeper check: \(error)\n")
            }
            throw ExitCode(Severity.unknown.exitCode)
        }
        var report = Checker.run(paths: paths, input)
        if input.kernel != nil { await report.compareOwners(ServerOwners.reader(timeout: common.timeoutDuration)) }
        if nagios {
            print(report.nagios(targetDelay: targetDelay).text)
        } else {
            print(
                common.json
                    ? try encodeEnvelope(
                        "check", report, severity: report.severity,
                        findings: report.allFindings, verbose: verbose)
                    : report.textReport(verbose: verbose) + next(report))
        }
        throw ExitCode(report.severity.exitCode)
    }

    /// What to run next: `advise` for the mounts with warnings (offline, on the same saved files).
    func next(_ report: CheckReport) -> String {
        let points = report.mounts.filter { $0.findings.worst >= .warn }.compactMap(\.mountPoint)
        guard !points.isEmpty else { return "" }
        let saved = (source.mountinfo.map { ["--mountinfo", $0] } ?? []) + (source.root.map { ["--root", $0] } ?? [])
        return nextStep((["nfskeeper", "advise"] + points + saved).map(shellQuoted).joined(separator: " "),
                        "the exact options and steps")
    }
}
