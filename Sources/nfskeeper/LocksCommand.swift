import ArgumentParser
import FoundationEssentials
import Locks
import Reports
import ServerView

struct LocksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locks",
        abstract: "Measure whether locks on the share hold across nodes.",
        usage: "nfskeeper locks <share> [<options>]",
        discussion: """
        This node's kernel plays itself and the server view (libnfs, over NFSv4) plays another node:

          advisory     this node holds an fcntl write lock: does the server report it to another \
        node (LOCKT)? Then another node holds one: is this node's F_SETLK refused? \
        coherent, local (a lock both got: nolock, local_lock, no lock manager), unavailable \
        (ENOLCK) or not-measured.
          link-based   a unique file hard-linked to a lock name, as Workbench's default locks do: \
        2 links here, and the same file with 2 links to another node. works, refused (no hard \
        links: use lock-type=advisory), not-seen.
          staleness    a held link-based lock looks stale to another node once refresh-rate + \
        attribute staleness (acregmax, or --attribute-delay from a probe) + |clock offset| \
        reaches timeout-interval (file-locks in --rstudio-config).

        It works in <share>/.nfskeeper/locks with files unique to this node and process, removes \
        them on every path (SIGINT and SIGTERM too), and removes a killed run's files first.

        Examples:
          nfskeeper locks /mnt/shared
          nfskeeper locks /mnt/shared --attribute-delay 3.2 --json
        """
    )

    @Argument(help: "A directory on the mount to check.")
    var share: String

    @Option(help: ArgumentHelp("Workbench's configuration directory (its file-locks).", valueName: "dir"))
    var rstudioConfig = "/etc/rstudio"

    @Option(help: ArgumentHelp("Measured attribute-change delay in seconds (probe); default: the mount's acregmax.",
                               valueName: "seconds"))
    var attributeDelay: Double?

    @OptionGroup var serverView: ServerViewOptions

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard share.hasPrefix("/") else { throw ValidationError("the directory must be an absolute path") }
        try checkRange(attributeDelay, "--attribute-delay", 0...3600, unit: "s")
    }

    func run() async throws {
        var request = LockRequest(share: share, node: common.nodeName)
        request.timeout = common.timeoutDuration
        (request.server, request.allowNonNFS) = (serverView.server, serverView.allowNonNFS)
        request.measuredAttributeDelay = attributeDelay
        request.credentials = serverView.credentials
        request.readFileLocks(rstudioConfig: rstudioConfig)
        let bar = Progress(enabled: !common.json && Terminal.standardErrorIsTerminal)
        bar.show("checking locks on \(Terminal.visible(share)) …")
        let immutable = request
        let report = try await runInterruptible { await LockCheck.run(immutable) }
        bar.clear()
        print(common.json ? try encodeEnvelope("locks", report, severity: report.severity, findings: report.findings)
                          : report.textReport() + next(report))
        throw ExitCode(report.severity.exitCode)
    }

    /// Locks this node keeps to itself: the options that send them to the server.
    func next(_ report: LockReport) -> String {
        guard report.findings.contains(where: { $0.rule == .locksLocal }) else { return "" }
        return nextStep("nfskeeper advise \(shellQuoted(report.share))",
                        "the mount options that share locks, and how to apply them")
    }
}
