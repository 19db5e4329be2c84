import Check
import Glibc
import KernelView
import Mounts
import Reports
import ServerView
import Synchronization
import SystemPackage

/// One probe run's directories. Every trial has a directory of its own, made on the server before
/// any trial starts:
///
///     <share>/.nfskeeper/probe/.nfskeeper-probe-NODE-PID-RAND/   this run
///         first-verdict/0/                                      the first verdict's trial
///         negative-lookup/0/ … negative-lookup/N-1/             one per trial
///         negative-lookup/N/ … negative-lookup/N+2/             spares, for trials started again
///         listing/0/ …
///
/// This node opens the run's directory once (no symlink followed) and reaches everything else
/// relative to open descriptors, so a trial never looks anything up in another trial's directory.
final class ProbeRun: Sendable {
    static let firstVerdict = "first-verdict"
    /// The subdirectories a run may hold: its scenarios and the first verdict.
    static let groups = Set(Scenario.allCases.map(\.rawValue) + [firstVerdict])
    /// Directories per scenario beyond its samples, for trials started again (`VisibilityProbe.disturbedLag`).
    static let spareTrials = 3

    let share: String
    let location: ServerLocation
    let node: String
    let scenarios: [Scenario]
    let samples: Int
    let name: String
    /// What this node has opened so far: the run's directory, then each group in it.
    private let opened = Mutex<(run: DirectoryHandle?, groups: [String: DirectoryHandle])>((nil, [:]))
    private static let directoryMode = FilePermissions(rawValue: 0o755)

    init(share: String, location: ServerLocation, node: String, scenarios: [Scenario], samples: Int) {
        (self.share, self.location, self.node) = (share, location, node)
        (self.scenarios, self.samples) = (scenarios, samples)
        name = TemporaryName.make(purpose: "probe", node: node)
    }

    var probeKernel: String { MountTable.normalize(share) + "/.nfskeeper/probe" }
    var probeServer: String { MountTable.normalize(location.path + "/.nfskeeper/probe") }
    var runKernel: String { probeKernel + "/" + name }
    var runServer: String { probeServer + "/" + name }

    /// A group's directory as this node shows it now (fstat of its open handle): nil if not open or the call failed.
    func shown(_ group: String) -> KernelView.Status? {
        opened.withLock { $0.groups[group] }?.status().value
    }

    /// The groups this run makes after the first verdict, with their trial counts.
    var scenarioGroups: [(group: String, trials: Int)] { scenarios.map { ($0.rawValue, samples + Self.spareTrials) } }

    /// Trial `index` of `group`, once `prepare` has opened the group's directory on this node.
    func place(_ group: String, _ index: Int, prefix: String) -> TrialPlace? {
        guard let parent = opened.withLock({ $0.groups[group] }) else { return nil }
        return TrialPlace(parent: parent, directory: String(index), serverDirectory: "\(runServer)/\(group)/\(index)",
                          file: "\(prefix)-\(group)-\(index)")
    }

    /// Makes the run's directory and the first verdict's through the server view, removes killed
    /// runs' leftovers, and opens them on this node. False after a finding.
    func prepare(_ c: ProbeContext, uid: UInt32, into report: inout ProbeReport) async -> Bool {
        report.directory = probeKernel
        let levels = [MountTable.normalize(location.path + "/.nfskeeper"), probeServer]
        if let problem = await c.server.ensureDirectories(levels, mode: Self.directoryMode) {
            report.fail("probe-directory", share, problem)
            return false
        }
        report.leftoversRemoved = await ProbeCleanup.removeLeftovers(c.server, probeServer, node: node, uid: uid,
                                                                     findings: &report.findings)
        do {
            try await c.server.mkdir(runServer, mode: Self.directoryMode)
        } catch {
            return notCreated(runServer, error, into: &report)
        }
        return await add([(Self.firstVerdict, 1)], c, into: &report)
    }

    /// Makes every scenario's trial directories and opens them on this node. False after a finding.
    func prepareScenarios(_ c: ProbeContext, into report: inout ProbeReport) async -> Bool {
        await add(scenarioGroups, c, into: &report)
    }

    private func add(_ groups: [(group: String, trials: Int)], _ c: ProbeContext,
                     into report: inout ProbeReport) async -> Bool {
        for (group, trials) in groups {
            for path in ["\(runServer)/\(group)"] + (0..<trials).map({ "\(runServer)/\(group)/\($0)" }) {
                do { try await c.server.mkdir(path, mode: Self.directoryMode) } catch {
                    return notCreated(path, error, into: &report)
                }
            }
        }
        return await open(groups.map(\.group), c, into: &report)
    }

    private func notCreated(_ path: String, _ error: ServerViewError, into report: inout ProbeReport) -> Bool {
        report.fail("probe-directory", share, "could not create \(path) through the server view: \(error.description)",
                    fix: "where root is squashed, probe as the share's owner (--uid/--gid, as root)")
        return false
    }

    /// Opens the run's directory (once) and `groups` on this node: new names, so they must show at once.
    private func open(_ groups: [String], _ c: ProbeContext, into report: inout ProbeReport) async -> Bool {
        let kernel = c.kernel
        let path = runKernel
        let seen = await c.awaitVisible {
            let known = self.opened.withLock { $0.run }
            guard let run = known ?? kernel.openDirectoryNoFollow(path).value else { return false }
            var found: [String: DirectoryHandle] = [:]
            for g in groups { if case .success(let h) = run.openDirectory(g) { found[g] = h } else { return false } }
            self.opened.withLock { $0 = (run, $0.groups.merging(found) { $1 }) }
            return true
        }
        if seen == nil {
            report.fail("probe-directory", share, "\(runKernel) made on the server never opened on this node within "
                        + "\(c.maxWait) without following a symlink")
        }
        return seen != nil
    }

    /// Removes the run; after a failure (a timeout leaves a libnfs session unusable) once more on a
    /// fresh session, before reporting leftovers.
    func remove(_ server: ServerView, credentials: NFSCredentials, timeout: Duration,
                into report: inout ProbeReport) async {
        opened.withLock { $0 = (nil, [:]) }
        var findings: [Finding] = []
        report.removedAtEnd = await ProbeCleanup.removeRun(server, runServer, findings: &findings)
        if !findings.isEmpty,
           // nil: the first attempt's findings stand
           // Ignored: without a fresh session the first attempt's findings stand.
           let fresh = try? await ServerView.connect(location.url, through: server.privateMountRequest,
                                                     as: credentials, timeout: timeout) {
            findings = []
            report.removedAtEnd += await ProbeCleanup.removeRun(fresh, runServer, findings: &findings)
        }
        report.findings += findings
    }
}
