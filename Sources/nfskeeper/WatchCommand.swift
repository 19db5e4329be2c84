import FoundationGaps
import ArgumentParser
import FoundationEssentials
import NFSModel
import Reports
import Watch

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Measure, continuously, how long each other node's new file takes to show here by name.",
        usage: "nfskeeper watch <share> [<options>]",
        discussion: """
        Every --period, on the server's clock, this node makes a canary, \
        <share>/.nfskeeper/watch/<node>/canary-<slot> (exclusive, 0600), through its own mount; and for \
        every other node watching the share, it looks that node's next canary up by name shortly before \
        it is due (a miss, as Workbench's and Package Manager's lookups are), then polls it by name \
        until it shows. The delay is the sighting's time minus the canary's mtime, both on the server's \
        clock (this node's offset is measured from each canary it makes), so clock skew does not \
        distort it.

        --textfile writes node_exporter's textfile collector format every period \
        (nfskeeper_visibility_pair_seconds{writer,reader} and friends). SIGTERM stops it within a \
        second and removes this node's canaries; another watcher's canaries that went unseen for \
        --stale-age are removed as a gone node's. A hung mount is a finding within --timeout, and the \
        watch keeps running.

        Examples:
          nfskeeper watch /mnt/shared --textfile /var/lib/prometheus/node-exporter/nfskeeper_watch.prom
          nfskeeper watch /mnt/shared --period 5 --duration 60 --json
        """
    )

    @Argument(help: "A directory on the shared mount.")
    var share: String

    @Option(help: ArgumentHelp("Seconds between two canaries of this node (1-3600).", valueName: "seconds"))
    var period = 10.0

    @Option(help: ArgumentHelp("Poll period of an awaited canary in milliseconds.", valueName: "ms"))
    var interval = 100.0

    @Option(help: ArgumentHelp("Seconds a canary is awaited before it counts as never seen.", valueName: "seconds"))
    var maxWait = 90.0

    @Option(help: ArgumentHelp("Seconds after which a watcher none of whose canaries showed is gone.",
                               valueName: "seconds"))
    var staleAge = 600.0

    @Option(help: ArgumentHelp("Stop after this many seconds (default: run until SIGTERM).", valueName: "seconds"))
    var duration: Double?

    @Option(help: ArgumentHelp("node_exporter textfile to rewrite every period.", valueName: "file"))
    var textfile: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard share.hasPrefix("/") else { throw ValidationError("the directory must be an absolute path") }
        try checkRange(period, "--period", 1...3600, unit: "s")
        try checkRange(interval, "--interval", 10...10_000, unit: "ms")
        try checkRange(maxWait, "--max-wait", 1...3600, unit: "s")
        try checkRange(staleAge, "--stale-age", 10...86_400, unit: "s")
        try checkRange(duration, "--duration", 1...31_536_000, unit: "s")
        do { _ = try NodeName(common.nodeName) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        var request = WatchRequest(share: share, node: try NodeName(common.nodeName))
        request.schedule = WatchSchedule(period: .milliseconds(Int64(period * 1000)))
        request.interval = .microseconds(Int64(interval * 1000))
        request.maxWait = .milliseconds(Int64(maxWait * 1000))
        request.staleAge = .milliseconds(Int64(staleAge * 1000))
        request.duration = duration.map { .milliseconds(Int64($0 * 1000)) }
        request.timeout = common.timeoutDuration
        request.textfile = textfile
        request.log = { line in writeStandardError("nfskeeper watch: \(line)\n") }
        let immutable = request
        let report = try await runInterruptible(stopsQuietly: true) { await Watcher(immutable).run() }
        print(common.json ? try encodeEnvelope("watch", report, severity: report.severity, findings: report.findings)
                          : report.textReport())
        throw ExitCode(report.severity.exitCode)
    }
}
