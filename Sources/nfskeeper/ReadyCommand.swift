import ArgumentParser
import Audit
import KernelView
import FoundationEssentials
import PositConfig
import Readiness
import Reports

extension PositProduct: ExpressibleByArgument {}

struct ReadyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ready",
        abstract: "Check this node against Posit's shared-storage and HA requirements.",
        usage: "nfskeeper ready [--product <product> ...] [<options>]",
        discussion: """
        For each Posit product installed here (or each --product): Workbench's database, \
        server-shared-storage-path, the Local launcher's scratch-path, home directories, Project \
        Sharing's attribute caching, the service account; Package Manager's and Connect's \
        Server.DataDir, database provider, SQLite directory and Metrics.DataPath. Each path is \
        resolved to its mount as check does: shared NFS or local disk. What must match across nodes \
        (versions, ids, configuration, database, DataDir) is judged by `nfskeeper fleet` from the \
        node reports audits write.

        Examples:
          nfskeeper ready
          nfskeeper ready --product workbench --product package-manager --json
          nfskeeper ready --root /srv/node2 --mountinfo /srv/node2/mountinfo
        """
    )

    @Option(help: "A product to judge (repeatable; default: those installed).")
    var product: [PositProduct] = []

    @Option(help: ArgumentHelp("Read the node's files below this directory instead of /.", valueName: "dir"))
    var root = "/"

    @Option(help: ArgumentHelp("Read a saved mountinfo instead of /proc/self/mountinfo (with --root: "
                               + "<root>/proc/self/mountinfo when it exists).", valueName: "file"))
    var mountinfo: String?

    @Flag(help: "Print one JSON document on standard output instead of tables.")
    var json = false

    @Option(help: ArgumentHelp("This node's name in the report; defaults to the host name.", valueName: "name"))
    var nodeName: String = ProcessInfo.processInfo.hostName

    func validate() throws {
        guard root.hasPrefix("/") else { throw ValidationError("--root must be an absolute path") }
        try checkNodeName(nodeName)
        try checkRange(timeout, "--timeout", 0.1...3600, unit: "s")
    }

    @Option(help: ArgumentHelp("Seconds any single call on a mount or to the server may take.", valueName: "seconds"))
    var timeout: Double = 10

    func run() async throws {
        let table = mountinfo ?? NodeFacts.mountInfoPath(root: root, otherwise: "/proc/self/mountinfo")
        let facts = NodeFacts.load(root: root, mountInfo: try readInput(table))
        var report = ReadinessCheck.run(facts, products: product.isEmpty ? nil : product, node: nodeName)
        if root == "/" && mountinfo == nil {  // this node, live: its mounts and the servers can be asked
            let limit = Duration.milliseconds(Int64(timeout * 1000))
            await report.measure(facts, kernel: KernelView(timeout: limit),
                                 readServerOwner: ServerOwners.reader(timeout: limit), node: nodeName)
        }
        print(json ? try encodeEnvelope("ready", report, severity: report.severity, findings: report.findings)
                   : report.textReport() + next(report))
        throw ExitCode(report.severity.exitCode)
    }

    /// What one node cannot judge: the fleet, from every node's audit report in the share.
    func next(_ report: ReadinessReport) -> String {
        guard let shared = report.products.flatMap(\.placements).first(where: \.shared),
              let share = shared.mountPoint else { return "" }
        let quoted = shellQuoted(share)
        return nextStep("nfskeeper audit \(quoted) on every node, then nfskeeper fleet \(quoted)",
                        "what must match across nodes: versions, ids, configuration, database, DataDir")
    }
}
