import ArgumentParser
import Foundation
import Glibc
import Reports

@main
struct NFSKeeper: AsyncParsableCommand {
    static func main() async {
        // A server that goes away mid-write must be an error from the call, not a fatal SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // A monitoring system reads one status line and exit 3 for anything that is not a result.
            if CommandLine.arguments.contains("--nagios"), exitCode(for: error) != .success, !(error is ExitCode) {
                let message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
                print("NFSKEEPER UNKNOWN - \(message)")
                Foundation.exit(Severity.unknown.exitCode)
            }
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "nfskeeper",
        abstract: "Keeps an NFS shared directory consistent and fast for the cluster nodes that mount it.",
        discussion: """
        nfskeeper talks to the NFS server directly through libnfs (the "server view", which no cache \
        of this node can fool) and compares it with what this node's kernel mount shows.

        Exit codes follow the Nagios plugin convention: 0 ok, 1 warning, 2 critical, 3 unknown.
        """,
        version: nfskeeperVersion,
        subcommands: [AdviseCommand.self, AuditCommand.self, CheckCommand.self, FleetCommand.self, HistoryCommand.self, ProbeCommand.self, ProvisionCommand.self, ServerCommand.self]
    )
}
