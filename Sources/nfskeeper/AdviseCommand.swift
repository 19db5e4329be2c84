import FoundationGaps
import Advice
import ArgumentParser
import Check
import FoundationEssentials
import KernelView
import Mounts
import Probe
import Reports

struct AdviseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advise",
        abstract: "Recommend the exact mount options, declaration and steps for a shared directory.",
        usage: "nfskeeper advise [<paths> ...] [<options>]",
        discussion: """
            From the live options (as `check` reads them) and, when given, a probe's measurements, \
            recommends: lookupcache=pos first; acdirmin/acdirmax bounded by --target-delay where \
            misses must stay cached (--role workbench-home); never noac; and fixes for soft, nolock, \
            local_lock, nocto, sync, UDP and tiny transfer sizes. It shows the delay before and after, \
            the cost, the administrator's own fstab line, .mount unit Options= or autofs entry with \
            the change applied and every other option kept, and the steps: an umount and mount (or \
            systemctl restart, or autofs expiry), since a remount cannot change cache options.

            It prints; it never changes a mount.

            Examples:
              nfskeeper advise /var/lib/rstudio-pm --role package-manager
              nfskeeper advise /mnt/shared --probe probe.json
              nfskeeper advise --mountinfo bundle/mountinfo --root bundle/
            """
    )

    @Argument(help: "Paths on NFS; default: every NFS mount.")
    var paths: [String] = []

    @Option(help: ArgumentHelp("What the directory holds.", valueName: "role"))
    var role: Role = .generic

    @Option(
        help: ArgumentHelp(
            "Longest acceptable delay, in seconds, before another node's new file is visible.", valueName: "seconds"))
    var targetDelay = 5

    @Option(help: ArgumentHelp("A probe's --json output to take measurements from.", valueName: "file"))
    var probe: String?

    @OptionGroup var source: MountSourceOptions

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard targetDelay >= 0 else { throw ValidationError("--target-delay must not be negative") }
    }

    func run() async throws {
        let measured: ProbeReport?
        do {
            measured = try probe.map {
                try JSONCoding.decoder().decode(ProbeReport.self, from: Data(readInput($0).utf8))
            }
        } catch {
            writeStandardError("nfskeeper advise: \(probe ?? ""): not a probe report (\(error))\n")
            throw ExitCode(Severity.unknown.exitCode)
        }
        let input: CheckInput
        do {
            input = try source.checkInput(timeout: common.timeoutDuration, rules: MountRules(targetDelay: targetDelay))
        } catch {
            writeStandardError("nfskeeper advise: \(error)\n")
            throw ExitCode(Severity.unknown.exitCode)
        }
        let report = Checker.run(paths: paths, input)
        let advice = Self.advise(report, role: role, targetDelay: targetDelay, probe: measured)
        // 0: nothing to change, 1 (warn): changes advised, 2/3: could not look.
        let severity =
            report.severity >= .unknown
            ? report.severity
            : advice.allSatisfy(\.changesNothing) ? Severity.ok : .warn
        if common.json {
            print(try encodeEnvelope("advise", ["advice": advice], severity: severity, findings: report.allFindings))
        } else {
            let blocking = report.allFindings.filter {
                [.notMounted, .notNFS, .hung, .noNFS, .input].contains($0.rule)
            }
            print(
                (advice.map { $0.textReport() } + (blocking.isEmpty ? [] : [findingsTable(blocking)])).joined(
                    separator: "\n\n"))
        }
        throw ExitCode(severity.exitCode)
    }

    static func advise(_ report: CheckReport, role: Role, targetDelay: Int, probe: ProbeReport?) -> [Advice] {
        report.mounts.compactMap { m in
            guard let options = m.effective, let point = m.mountPoint else { return nil }
            let sameMount = probe?.mountPoint == point
            let p95 = sameMount ? probe?.scenarios.first { $0.scenario == .negativeLookup }?.p95Seconds : nil
            let cost = sameMount ? probe?.cost.map { (lookup: $0.lookup, getattr: $0.getattr) } : nil
            return Advisor.advise(
                mountPoint: point, options: options, declared: m.declared, role: role,
                targetDelay: targetDelay, measuredP95: p95, probeCost: cost)
        }
    }
}
