import Check
import Foundation
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
        await probe(request, into: &report)
        report.wallSeconds = (clock.now - started).seconds
        return report
    }

    static func probe(_ r: ProbeRequest, into report: inout ProbeReport) async {
        func fail(_ rule: String, _ message: String, fix: String? = nil) {
            report.findings.append(Finding(.crit, rule, subject: r.share, message, fix: fix))
        }
        let kernel = KernelView(timeout: r.timeout)
        let share = MountTable.normalize(r.share)

        // Where: the share on this node, its mount, the same directory on the server.
        let device: (major: UInt32, minor: UInt32)
        switch kernel.openDirectoryNoFollow(share).then({ $0.status() }) {
        case .success(let st): device = (st.deviceMajor, st.deviceMinor)
        case .timedOut: return fail("hung", "\(share) does not answer within \(r.timeout): a hard mount whose server is gone?")
        case .failure(let e): return fail("share", "\(share): \(e.description) (a symlink on the way is refused)")
        }
        let table = MountTable(MountInfo(parsing: readWholeFile(r.mountInfoPath) ?? ""))
        let location: ServerLocation
        switch ServerLocation.resolve(share, in: table, device: device, server: r.server, allowNonNFS: r.allowNonNFS) {
        case .success(let l): location = l
        case .failure(let f): return fail("share", f.description)
        }
        let options = location.mount.isNFS ? NFSMountOptions(parsing: location.mount.superOptions, fsType: location.mount.fsType) : nil
        report.mountPoint = location.mount.mountPoint
        report.fsType = location.mount.fsType
        report.serverURL = location.url.description
        report.options = options.map(\.summary)
        let predicted = options.map { o in r.scenarios.map { $0.predictedWindow(o) }.max() ?? 0 }
        let maxWait = r.maxWait ?? .seconds(Double(predicted ?? 10) * 1.2 + 2)
        report.maxWaitSeconds = maxWait.seconds

        let server: ServerView
        do {
            server = try await ServerView.connect(location.url, as: r.credentials, timeout: r.timeout)
            let rtts = try await withTaskExecutorPreference(server.taskExecutor) {
                var t: [Double] = []
                for _ in 0..<9 { t.append(try await server.timedGetattr(location.path).seconds) }
                return t.sorted()
            }
            report.serverRoundTripSeconds = rtts[rtts.count / 2]
        } catch {
            return fail("server", "the server view failed: \(error)", fix: "check with: nfskeeper server '\(location.url)'")
        }

        // The probe directory, made through the server view; then this run's own directory in it.
        let probeKernel = share + "/.nfskeeper/probe", probeServer = MountTable.normalize(location.path + "/.nfskeeper/probe")
        report.directory = probeKernel
        for dir in [MountTable.normalize(location.path + "/.nfskeeper"), probeServer] {
            if let problem = await ensureDirectory(server, dir) { return fail("probe-directory", problem) }
        }
        report.leftoversRemoved = await ProbeCleanup.removeLeftovers(server, probeServer, node: r.node, uid: r.credentials.uid,
                                                                     findings: &report.findings)
        let runName = TemporaryName.make(purpose: "probe", node: r.node)
        let (runKernel, runServer) = (probeKernel + "/" + runName, probeServer + "/" + runName)
        do {
            try await server.mkdir(runServer, mode: FilePermissions(rawValue: 0o755))
            for s in r.scenarios { try await server.mkdir(runServer + "/" + s.rawValue, mode: FilePermissions(rawValue: 0o755)) }
        } catch {
            await ProbeCleanup.removeRun(server, runServer, findings: &report.findings)
            return fail("probe-directory", "could not create \(runServer) through the server view: \(error.description)",
                        fix: "where root is squashed, probe as the share's owner (--uid/--gid)")
        }

        // This node must see the run's directories (new names: at once, or the mount is broken).
        let poller = KernelPoller(interval: r.interval)
        let context = ProbeContext(server: server, kernel: kernel, poller: poller, kernelDir: runKernel, serverDir: runServer,
                                   maxWait: maxWait, namePrefix: TemporaryName.safeNode(r.node) + "-\(getpid())")
        if await context.awaitVisible({ r.scenarios.allSatisfy { s in var st = stat(); return lstat(runKernel + "/" + s.rawValue, &st) == 0 } }) == nil {
            fail("probe-directory", "\(runKernel) made on the server never appeared on this node within \(maxWait)")
        } else if case .failure(let e) = kernel.openDirectoryNoFollow(runKernel) {
            fail("probe-directory", "\(runKernel) cannot be opened without following a symlink (\(e.description)): refused")
        } else {
            let before = readStats(r.mountStatsPath, location.mount)
            let outcomes = await runTrials(r, context, spread: .seconds(Double(max(1, predicted ?? 1))), report: &report)
            let after = readStats(r.mountStatsPath, location.mount)
            summarize(outcomes, r, options: options, into: &report)
            report.resolutionSeconds = poller.roundPeriod?.seconds
            if let before, let after {
                let d = before.delta(to: after)
                let n = Double(max(1, r.samples * r.scenarios.count))
                report.cost = ProbeCost(samples: r.samples * r.scenarios.count, lookup: Double(d.operations["LOOKUP"] ?? 0) / n,
                                        getattr: Double(d.operations["GETATTR"] ?? 0) / n,
                                        access: Double(d.operations["ACCESS"] ?? 0) / n, readdir: Double(d.readdirCalls) / n)
            } else {
                report.costNote = location.mount.isNFS ? "no mountstats for \(location.mount.mountPoint)" : "\(location.mount.fsType) is not NFS: no RPC counters"
            }
        }
        poller.stop()
        // Cleanup must not be lost to one slow call: after a failure (a timeout leaves a libnfs
        // session unusable), try once more on a fresh session before reporting leftovers.
        var cleanupFindings: [Finding] = []
        await ProbeCleanup.removeRun(server, runServer, findings: &cleanupFindings)
        if !cleanupFindings.isEmpty, let fresh = try? await ServerView.connect(location.url, as: r.credentials, timeout: r.timeout) {
            cleanupFindings = []
            await ProbeCleanup.removeRun(fresh, runServer, findings: &cleanupFindings)
        }
        report.findings += cleanupFindings
    }

    static func ensureDirectory(_ server: ServerView, _ path: String) async -> String? {
        do {
            let st = try await server.stat(path)
            return st.type == .directory ? nil : "\(path) is a \(st.type.rawValue) on the server, not a directory: refused"
        } catch where error.errno == .noSuchFileOrDirectory {
            do { try await server.mkdir(path, mode: FilePermissions(rawValue: 0o755)) } catch where error.errno == .fileExists {} catch {
                return "could not create \(path) through the server view: \(error.description)"
            }
            return nil
        } catch {
            return "\(path): \(error.description)"
        }
    }

    static func readStats(_ path: String, _ mount: MountInfoEntry) -> MountStats.Device? {
        guard mount.isNFS, let text = readWholeFile(path) else { return nil }
        return MountStats(parsing: text).device(mountedOn: mount.mountPoint)
    }
}
