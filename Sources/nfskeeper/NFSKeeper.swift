import FoundationGaps
import ArgumentParser
import FoundationEssentials
import Glibc
import Reports

@main
struct NFSKeeper: AsyncParsableCommand {
    static func main() async {
        // A server that goes away mid-write must be an error from the call, not a fatal SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        if let typo = CommandLine.arguments.dropFirst().first, let suggestion = suggestion(for: typo) {
            let message = "nfskeeper: '\(typo)' is not a command; did you mean '\(suggestion)'?\n"
            writeStandardError(message)
            Glibc.exit(ExitCode.validationFailure.rawValue)
        }
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
                Glibc.exit(Severity.unknown.exitCode)
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

        Examples:
          nfskeeper check /mnt/shared
          nfskeeper probe /mnt/shared
          nfskeeper advise /mnt/shared --role package-manager
        """,
        version: nfskeeperVersion,
        // In the order an admin uses them: look, measure, fix, then the cluster and the timers.
        subcommands: [CheckCommand.self, ProbeCommand.self, AdviseCommand.self, ProvisionCommand.self,
                      ReadyCommand.self, LocksCommand.self, ServerCommand.self, AuditCommand.self, WatchCommand.self,
                      FleetCommand.self,
                      HistoryCommand.self]
    )
}

extension NFSKeeper {
    /// The subcommand `word` was probably meant to be (at most two edits away), when it is none.
    static func suggestion(for word: String) -> String? {
        let names = configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        guard !word.hasPrefix("-"), !names.contains(word) else { return nil }
        let best = names.map { ($0, editDistance($0, word)) }.min { $0.1 < $1.1 }
        return best.flatMap { $0.1 <= 2 ? $0.0 : nil }
    }

    /// Levenshtein distance (insertions, deletions, substitutions).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let (a, b) = (Array(a), Array(b))
        var previous = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
