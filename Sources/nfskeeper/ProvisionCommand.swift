import ArgumentParser
import FoundationEssentials
import Provisioning
import Reports
import ServerView

struct ProvisionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Create or fix the Job Launcher's scratch directory on the share, on every node alike.",
        discussion: """
        Replaces the manual `mkdir -p <share>/Local; chown rstudio-server <share>/Local`. Idempotent: \
        a second run changes nothing and says so (`changed: false`).

        When the export squashes root, a root chown fails with EPERM; nfskeeper then creates (or \
        fixes) the directory through the server view as the owner (AUTH_SYS), so no export change \
        is needed. It never follows a symlink: a link at <share>/<cluster>, or anywhere on the way, \
        is refused and left untouched. Afterwards it compares owner and mode as the server stores \
        them with what this node's mount shows (NFSv4 id mapping, differing uids).

        It also checks scratch-path in launcher.local.conf, the Local cluster's name in \
        launcher.conf and server-user in rserver.conf; --write-config sets scratch-path, keeping \
        the rest of the file byte for byte and a timestamped backup.

        Exit codes: 0 ok, 1 warnings, 2 failed (nothing was changed when a check failed first).

        Examples:
          nfskeeper provision /mnt/shared
          nfskeeper provision /mnt/shared --write-config --json
          nfskeeper provision /mnt/shared --dry-run
        """
    )

    @Argument(help: ArgumentHelp("The NFS share as mounted on this node; the scratch directory goes in it.",
                                 valueName: "share"))
    var sharePath: String?

    @Option(name: .customLong("share"), help: .hidden)  // the earlier spelling, still accepted
    var shareOption: String?

    var share: String { sharePath ?? shareOption ?? "" }

    @Option(help: "The Local cluster's name in launcher.conf: the directory's name.")
    var cluster = "Local"

    @Option(help: "The user that runs Workbench (server-user).")
    var owner = "rstudio-server"

    @Option(help: "The directory's group; default: the owner's primary group.")
    var group: String?

    @Option(help: ArgumentHelp("Permissions, in octal (default: 0755).", valueName: "octal"), transform: parseOctalMode)
    var mode: UInt32 = 0o755

    @Option(help: ArgumentHelp("The server view's URL, when it cannot be derived from the mount (FUSE or bind mounts).",
                               valueName: "url"), transform: parseServerURL)
    var server: ServerURL?

    @Flag(help: "Accept a share that is not NFS (test setups).")
    var allowNonNFS = false

    @Flag(help: "Print the plan; change nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("Workbench's configuration directory.", valueName: "dir"))
    var rstudioConfig = "/etc/rstudio"

    @Flag(help: "Set scratch-path in launcher.local.conf to the scratch directory.")
    var writeConfig = false

    @Option(help: OtherNodeChoice.help)
    var otherNode = OtherNodeChoice.auto

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if sharePath != nil && shareOption != nil { throw ValidationError("give the share once") }
        guard sharePath != nil || shareOption != nil else {
            throw ValidationError("missing the share: nfskeeper provision /mnt/shared")
        }
        guard share.hasPrefix("/") else { throw ValidationError("the share must be an absolute path") }
    }

    func run() async throws {
        var request = ProvisionRequest(share: share, node: common.nodeName)
        request.cluster = cluster
        request.owner = owner
        request.group = group
        request.mode = mode
        request.server = server
        request.allowNonNFS = allowNonNFS
        request.otherNode = otherNode
        request.dryRun = dryRun
        request.rstudioConfigDirectory = rstudioConfig
        request.writeConfig = writeConfig
        request.timeout = common.timeoutDuration
        let immutable = request
        let result = try await runInterruptible { await Provisioner.run(immutable) }
        // Provisioning that could not look is a failure to provision: unknown reads as critical.
        let severity = result.severity >= .unknown ? Severity.crit : result.severity
        print(common.json ? try encodeEnvelope("provision", result, severity: severity, findings: result.findings)
                          : result.textReport() + next(result))
        throw ExitCode(severity.exitCode)
    }

    /// A dry run that planned changes: the same command, for real.
    func next(_ result: ProvisionResult) -> String {
        guard dryRun, result.actions.contains(where: { !$0.done }) else { return "" }
        let again = CommandLine.arguments.dropFirst().filter { $0 != "--dry-run" }.map(shellQuoted)
        return nextStep((["nfskeeper"] + again).joined(separator: " "), "the same, without --dry-run, to make it so")
    }
}
