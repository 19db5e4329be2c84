import ArgumentParser
import FoundationEssentials
import Reports
import ServerSurvey
import ServerView

struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Show what the NFS server itself says, bypassing this node's caches.",
        usage: "nfskeeper server <url> [<options>]",
        discussion: """
        Connects with libnfs as uid 0 and reports: which NFS versions answer, the GETATTR round \
        trip (the floor under any visibility delay), the server clock's offset from this node's, \
        whether root is squashed (a temporary file is created as uid 0, its owner read back, and \
        the file removed), whether the export is writable, its free space, and the export list.

        URL form: nfs://HOST[:PORT]/EXPORT[?version=3|4&nfsport=N&mountport=N]
        Give nfsport and mountport when the server's portmapper is unreachable or shared.

        Examples:
          nfskeeper server 'nfs://filer.example.com/export/rstudio'
          nfskeeper server --json 'nfs://127.0.0.1/rw?version=4&nfsport=32049'
        """
    )

    @Argument(help: ArgumentHelp("The server and export, as an nfs:// URL.", valueName: "url"),
              transform: parseServerURL)
    var url: ServerURL

    @Option(help: "GETATTR round trips to time.")
    var samples = 20

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard (1...100_000).contains(samples) else { throw ValidationError("--samples must be between 1 and 100000") }
    }

    func run() async throws {
        let target = url
        let (samples, timeout, node) = (samples, common.timeoutDuration, common.nodeName)
        let progress = Progress(enabled: !common.json && Terminal.standardErrorIsTerminal)
        progress.show("surveying \(target.serverAndExport)…")
        let survey = try await runInterruptible {
            await ServerSurvey.run(target, samples: samples, timeout: timeout, node: node)
        }
        progress.clear()
        print(common.json ? try encodeEnvelope("server", survey, severity: survey.severity, findings: survey.findings)
                          : survey.textReport())
        throw ExitCode(survey.severity.exitCode)
    }
}
