import Check
import FoundationEssentials
import Glibc
import KernelView
import Mounts
import Reports
import ServerView
import SystemPackage

/// Measures how long a change made through the server view takes to become visible through this
/// node's mount. A file the server view creates is, to this node's kernel, another node's file.
public enum VisibilityProbe {
    public static func run(_ request: ProbeRequest) async -> ProbeReport {
        let clock = ContinuousClock()
        let started = clock.now
        var report = ProbeReport(share: request.share, intervalSeconds: request.interval.seconds,
                                 maxWaitSeconds: 0, wallSeconds: 0)
        report.quick = request.quick
        await probe(request, started: started, into: &report)
        report.wallSeconds = (clock.now - started).seconds
        report.severity = report.findings.worst
        return report
    }

    static func probe(_ r: ProbeRequest, started: ContinuousClock.Instant, into report: inout ProbeReport) async {
        let kernel = KernelView(timeout: r.timeout)
        guard let location = locate(r, kernel, into: &report),
              let server = await connect(r, location, into: &report) else { return }
        let options = location.mount.isNFS
            ? NFSMountOptions(parsing: location.mount.superOptions, fsType: location.mount.fsType) : nil
        report.options = options?.summary
        let predicted = options.map { o in r.scenarios.map { $0.predictedWindow(o) }.max() ?? 0 }
        let maxWait = r.maxWait ?? .seconds(Double(predicted ?? 10) * 1.2 + 2)
        report.maxWaitSeconds = maxWait.seconds

        let poller = KernelPoller(interval: r.interval)
        let context = ProbeContext(server: server, kernel: kernel, poller: poller, maxWait: maxWait,
                                   namePrefix: TemporaryName.safeNode(r.node) + "-\(getpid())")
        let run = ProbeRun(share: r.share, location: location, node: r.node, scenarios: r.scenarios, samples: r.samples)
        if await run.prepare(context, uid: r.credentials.uid, into: &report) {
            await measure(r, run, context, options: options, predicted: predicted, started: started, into: &report)
        }
        poller.stop()
        await run.remove(server, credentials: r.credentials, timeout: r.timeout, into: &report)
    }

    /// The first verdict, then (unless quick) every trial, their summary and their RPC cost.
    static func measure(_ r: ProbeRequest, _ run: ProbeRun, _ c: ProbeContext, options: NFSMountOptions?,
                        predicted: Int?, started: ContinuousClock.Instant, into report: inout ProbeReport) async {
        let first = await firstVerdict(r, run, c, options: options, started: started, into: &report)
        r.onFirstVerdict?(first)  // shown first: the owners may wait on the server
        let hung = report.findings.contains { $0.rule == .hung }
        if !hung { await compareOwners(r, run, options: options, into: &report) }
        guard !r.quick, !hung, await run.prepareScenarios(c, into: &report) else { return }
        report.serverRoundTripSeconds = await roundTrip(c.server, run.location.path)
        let mount = run.location.mount
        let before = readStats(r.mountStatsPath, mount)
        // The plan: every trial at once, each until it sees its change or max-wait ends it.
        let window = predicted.map { Duration.seconds(Double($0)) + .seconds(1) }
        let outcomes = await runTrials(r, run, c, expected: min(window ?? c.maxWait, c.maxWait),
                                       isBound: window == nil || window! >= c.maxWait, report: &report)
        let after = readStats(r.mountStatsPath, mount)
        summarize(outcomes, r, options: options, into: &report)
        report.resolutionSeconds = c.poller.roundPeriod?.seconds
        if let before, let after {
            report.cost = ProbeCost(delta: before.delta(to: after), samples: r.samples * r.scenarios.count)
        } else {
            report.costNote = mount.isNFS ? "no mountstats for \(mount.mountPoint)"
                                          : "\(mount.fsType) is not NFS: no RPC counters"
        }
    }

    /// The share on this node, its mount, and the same directory on the server; nil after a finding.
    static func locate(_ r: ProbeRequest, _ kernel: KernelView, into report: inout ProbeReport) -> ServerLocation? {
        let located = r.location.map { .success($0) }
            ?? ServerLocation.locate(r.share, kernel: kernel, mountInfoPath: r.mountInfoPath, server: r.server,
                                     allowNonNFS: r.allowNonNFS)
        switch located {
        case .success(let location):
            report.mountPoint = location.mount.mountPoint
            report.fsType = location.mount.fsType
            report.serverURL = location.url.description
            return location
        case .failure(let failure):
            report.fail(failure.rule, r.share, failure.description)
            return nil
        }
    }

    /// A server-view session; nil after a finding.
    static func connect(_ r: ProbeRequest, _ location: ServerLocation,
                        into report: inout ProbeReport) async -> ServerView? {
        let request: PrivateMountRequest?
        switch location.privateMount(for: r.otherNode, timeout: r.timeout) {
        case .success(let found): request = found
        case .failure(let failure):
            report.fail("server", r.share, "no other node: \(failure)", fix: "use --other-node libnfs")
            return nil
        }
        do {
            let view = try await ServerView.connect(location.url, through: request, as: r.credentials,
                                                    timeout: r.timeout)
            report.otherNode = view.otherNode.description
            return view
        } catch {
            report.fail("server", r.share, "the server view failed: \(error)",
                        fix: "check with: nfskeeper server '\(location.url)'")
            return nil
        }
    }

    /// The median of nine GETATTR round trips on the session's own executor: the floor under every delay.
    static func roundTrip(_ server: ServerView, _ path: String) async -> Double? {
        try? await withTaskExecutorPreference(server.taskExecutor) {  // nil: the trials report a failing server
            var t: [Double] = []
            for _ in 0..<9 { t.append(try await server.timedGetattr(path).seconds) }
            return t.sorted()[4]
        }
    }

    static func readStats(_ path: String, _ mount: MountInfoEntry) -> MountStats.Device? {
        guard mount.isNFS, let text = readWholeFile(path) else { return nil }
        return MountStats(parsing: text).device(mountedOn: mount.mountPoint)
    }
}

extension ProbeReport {
    mutating func fail(_ rule: Rule, _ subject: String, _ message: String, fix: String? = nil) {
        findings.append(Finding(.crit, rule, subject: subject, message, fix: fix))
    }

    /// A kernel-side call on the share that did not return within the timeout.
    mutating func failHung(_ r: ProbeRequest, _ run: ProbeRun) {
        fail("hung", r.share, "a call on \(r.share) did not return within \(r.timeout): the mount hangs "
             + "(hard mount, server unreachable?)", fix: "check the server: nfskeeper server '\(run.location.url)'")
    }
}

extension ProbeCost {
    init(delta d: MountStatsDelta, samples: Int) {
        let n = Double(max(1, samples))
        self.init(samples: samples, lookup: Double(d.operations["LOOKUP"] ?? 0) / n,
                  getattr: Double(d.operations["GETATTR"] ?? 0) / n,
                  access: Double(d.operations["ACCESS"] ?? 0) / n, readdir: Double(d.readdirCalls) / n)
    }
}
