import FoundationGaps
import ArgumentParser
import Audit
import FoundationEssentials
import Probe
import Reports
import ServerView

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Measure how long another node's new file takes to become visible on this node.",
        discussion: """
            The server view (libnfs, straight to the server) makes each change: to this node's kernel \
            it is another node's file. The probe then polls this node's mount until the change shows, \
            and reports the delay per scenario:

              negative-lookup   stat the name first (ENOENT, cached), then create it: the case that hurts
              fresh-name        create, then stat a name never looked up
              listing           the new name in a fresh opendir/readdir
              attribute-change  the server appends to a cached file; stat shows the new size
              deletion          the server removes a cached file; stat returns ENOENT

            First, in about a second, the first verdict: one name looked up, then made by the server, \
            watched for 1 s: does this mount hide another node's new file under a name it already \
            looked up? --quick stops there. Then every trial runs at once, each in a directory of its \
            own that nothing else touches (on NFSv3 any lookup in a directory refreshes its \
            attributes, so shared directories would shorten each other's delays): the figures are what \
            a quiet directory shows, the worst case. A run takes about one cache window (30 s at the \
            defaults), not samples × window. It \
            works in <share>/.nfskeeper/probe, in a directory unique to this node and process, and \
            removes everything it made, also on SIGINT and SIGTERM; a later run removes what a killed \
            one left (this node's only, never anything else). Every kernel-side call has a deadline: \
            a hung mount is a finding, not a hung agent.

            Examples:
              nfskeeper probe /mnt/shared
              nfskeeper probe /mnt/shared --quick
              nfskeeper probe /mnt/shared --scenarios negative-lookup --samples 16 --json
            """
    )

    @Argument(help: "A directory on the mount to measure.")
    var share: String

    @Option(help: "Trials per scenario (1-100).")
    var samples = 8

    @Flag(help: "Only the first verdict (about a second): does this mount hide a new file under a name it looked up?")
    var quick = false

    @Option(
        help: ArgumentHelp("Comma-separated scenarios (default: all).", valueName: "list"),
        completion: .list(Scenario.allCases.map(\.rawValue)), transform: parseScenarios)
    var scenarios: [Scenario] = Scenario.allCases

    @Option(
        help: ArgumentHelp(
            "Seconds a trial waits for its change (default: the window the options predict, plus a margin).",
            valueName: "seconds"))
    var maxWait: Double?

    @Option(help: ArgumentHelp("Poll period in milliseconds: the resolution of every figure.", valueName: "ms"))
    var interval = 10.0

    @Option(help: ArgumentHelp("Delay beyond which a scenario that hurts is a warning.", valueName: "seconds"))
    var targetDelay = 5.0

    @OptionGroup var serverView: ServerViewOptions

    @Option(help: OtherNodeChoice.help)
    var otherNode = OtherNodeChoice.auto

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard (1...100).contains(samples) else { throw ValidationError("--samples must be between 1 and 100") }
        try checkRange(interval, "--interval", 1...10_000, unit: "ms")
        try checkRange(maxWait, "--max-wait", 0.1...3600, unit: "s")
        try checkRange(targetDelay, "--target-delay", 0.001...3600, unit: "s")
        guard share.hasPrefix("/") else { throw ValidationError("the directory must be an absolute path") }
    }

    /// What to run next when a delay hurts: `advise` with these figures.
    func next(_ report: ProbeReport) -> String {
        guard report.severity >= .warn, let point = report.mountPoint, !report.scenarios.isEmpty else { return "" }
        return nextStep("nfskeeper probe \(shellQuoted(share)) --json > probe.json && "
                        + "nfskeeper advise \(shellQuoted(point)) --probe probe.json",
                        "the options for the delay measured")
    }

    func run() async throws {
        var request = ProbeRequest(share: share, node: common.nodeName)
        request.scenarios = scenarios
        request.samples = samples
        request.quick = quick
        request.maxWait = maxWait.map { .milliseconds(Int64($0 * 1000)) }
        request.interval = .microseconds(Int64(interval * 1000))
        request.timeout = common.timeoutDuration
        request.targetDelay = targetDelay
        (request.server, request.allowNonNFS) = (serverView.server, serverView.allowNonNFS)
        request.credentials = serverView.credentials
        request.otherNode = otherNode
        request.serverOwners = ServerOwners.reader(timeout: common.timeoutDuration)
        let bar = Progress(enabled: !common.json && Terminal.standardErrorIsTerminal)
        if bar.enabled { request.progress = { bar.showProbe("probing", $0) } }
        let json = common.json
        request.onFirstVerdict = { verdict in
            guard !json, let verdict else { return }
            bar.clear()
            writeStandardOutput((verdict.textLine(color: Terminal.isColorful) + "\n"))
        }
        let immutable = request
        let report = try await runInterruptible(removed: { $0.removedAtEnd }) { await VisibilityProbe.run(immutable) }
        bar.clear()
        print(
            common.json
                ? try encodeEnvelope("probe", report, severity: report.severity, findings: report.findings)
                : report.textReport(firstVerdictShown: true) + next(report))
        throw ExitCode(report.severity.exitCode)
    }
}
