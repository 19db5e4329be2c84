import SystemPackage
import Advice
import Check
import Fleet
import FoundationEssentials
import KernelView
import Locks
import PositConfig
import Readiness
import Mounts
import Probe
import Provisioning
import Reports
import ServerSurvey
import ServerView

/// One share's part of an audit.
public struct ShareAudit: Codable, Sendable {
    public var path: String
    public var role: Role
    public var check: MountCheck?
    public var server: ServerSurvey?
    public var scratch: ProvisionResult?
    public var probe: ProbeReport?
    /// Locks across nodes: measured by a full audit, the last full audit's in a quick one.
    public var locks: LockSummary?
    public var advice: Advice?
    public var findings: [Finding]
    public var severity: Severity

    /// The scratch directory exists with the right owner and mode, and nothing was left to do.
    public var scratchDirectoryOK: Bool? {
        scratch.map { s in s.exitCode < 2 && (s.dryRun ? s.actions.isEmpty : true) && s.serverView != nil }
    }
}

public struct AuditReport: Codable, Sendable {
    public var time: Date
    public var node: String
    public var version: String
    public var quick: Bool
    public var shares: [ShareAudit]
    public var findings: [Finding]
    public var severity: Severity
}

/// check + scratch directory + server + probe + advice, for each configured share.
public enum Auditor {
    public struct Options: Sendable {
        public var config: AuditConfig
        public var node: String
        public var quick = false
        public var fix = false
        public var version = nfskeeperVersion
        public var mountInfoPath = "/proc/self/mountinfo"
        public var mountStatsPath = "/proc/self/mountstats"
        public var root = "/"
        /// Write this node's report into each share (`.nfskeeper/nodes/`) for `nfskeeper fleet`.
        public var fleet = true
        /// The launcher's address and port as the other nodes should reach it (default: launcher.conf).
        public var launcherAddress: String?
        public var launcherPort: Int?
        /// Workbench's port as the other nodes should reach it (default: rserver.conf's www-port).
        public var wwwPort: Int?
        /// The probe's progress on each share (the share's path and the figures), for a bar.
        public var probeProgress: (@Sendable (String, ProbeProgress) -> Void)?

        public init(config: AuditConfig, node: String) {
            self.config = config
            self.node = node
        }
    }

    public static func run(_ o: Options) async -> AuditReport {
        var shares: [ShareAudit] = []
        var findings: [Finding] = []
        if o.config.shares.isEmpty {
            findings.append(
                Finding(
                    .unknown, "config", "no share to audit",
                    fix: "list it under shares: in the configuration (- path: /mnt/shared), "
                        + "or name it: nfskeeper audit /mnt/shared"))
        }
        let products = NodeProducts(o)
        for share in o.config.shares {
            if Task.isCancelled { break }
            shares.append(await audit(share, o, products))
        }
        let all = findings + shares.flatMap(\.findings)
        return AuditReport(
            time: Date(), node: o.node, version: o.version, quick: o.quick, shares: shares, findings: findings,
            severity: (all + shares.map { Finding($0.severity, "share", "") }).worst)
    }

    /// One share, step by step: options, the server, the scratch directory, the probe, locks, advice.
    /// After a hang (seen by any step: cached attributes can hide it from the first) or a missing mount,
    /// nothing more is asked of the share.
    static func audit(_ share: AuditConfig.Share, _ o: Options, _ products: NodeProducts) async -> ShareAudit {
        let timeout = Duration.milliseconds(Int64(o.config.timeout * 1000))
        let infoText = readWholeFile(o.mountInfoPath) ?? ""
        let check = await checkOptions(share, o, mountInfo: infoText, timeout: timeout)
        var findings = check?.findings.filter { $0.severity != .ok } ?? []
        var broken: Bool { findings.contains { [.hung, .notMounted].contains($0.rule) } }

        // Located once (mount, server URL, path on the server), by the mount table check read: the
        // provisioning, the probe and the locks use it. A share that cannot be located is left to each
        // step, whose own finding says why (so the failure is ignored here).
        let location = broken ? nil : try? ServerLocation.locate(
            share.path, kernel: KernelView(timeout: timeout), mountInfoText: infoText, server: share.server,
            allowNonNFS: share.allowNonNFS).get()
        var server: ServerSurvey?
        if let url = share.server ?? check?.serverURL, !broken {
            server = await ServerSurvey.run(url, samples: 5, timeout: timeout, node: o.node)
            findings += server?.findings.filter { $0.severity >= .warn } ?? []
        }
        var scratch: ProvisionResult?
        if share.provision && !broken {
            scratch = await provisionScratch(share, o, mountInfo: infoText, timeout: timeout, findings: &findings)
        }
        var probe: ProbeReport?
        if !broken {  // quick: the first verdict only
            probe = await probeShare(share, o, location: location, timeout: timeout)
            findings += probe?.findings ?? []
        }
        if server?.rootSquash?.squashed == true, let point = check?.mountPoint {
            findings += connectOnSquashedShare(products, mountPoint: point)
        }
        var locks: LockSummary?
        if share.locks && !broken {
            locks = await auditLocks(share, o, mountPoint: check?.mountPoint ?? share.path, location: location,
                                     probe: probe)
            findings += locks?.findings ?? []
        }
        var audited = ShareAudit(
            path: share.path, role: share.role, check: check, server: server, scratch: scratch, probe: probe,
            locks: locks, advice: advise(share, o, check: check, probe: probe), findings: findings,
            severity: findings.worst)
        if o.fleet && !broken {
            audited.findings += writeNodeReport(audited, o, products, kernel: KernelView(timeout: timeout))
            audited.severity = audited.findings.worst
        }
        return audited
    }

    /// check's judgement of the share's mount, its owners compared with the server's (NFSv4).
    static func checkOptions(_ share: AuditConfig.Share, _ o: Options, mountInfo: String,
                             timeout: Duration) async -> MountCheck? {
        let statsText = readWholeFile(o.mountStatsPath)
        var report = Checker.run(
            paths: [share.path],
            CheckInput(
                mountInfo: MountInfo(parsing: mountInfo), mountStats: statsText.map { MountStats(parsing: $0) },
                declared: DeclaredMounts(root: o.root), kernel: KernelView(timeout: timeout),
                rules: MountRules(targetDelay: o.config.targetDelay), serverOverride: share.server,
                idMap: IdMapSettings.read(root: o.root)))
        await report.compareOwners(ServerOwners.reader(timeout: timeout))
        guard var check = report.mounts.first else { return nil }
        if share.allowNonNFS {  // a test setup said so: not NFS is noted, not alarmed
            check.findings = allowed(check.findings, rules: [.notNFS])
        }
        return check
    }

    /// The scratch directory: verified, or with --fix made right; a dry run's plan is a finding.
    static func provisionScratch(_ share: AuditConfig.Share, _ o: Options, mountInfo: String, timeout: Duration,
                                 findings: inout [Finding]) async -> ProvisionResult {
        var request = ProvisionRequest(share: share.path, node: o.node)
        (request.cluster, request.owner, request.group, request.mode) = (
            share.cluster, share.owner, share.group, share.mode
        )
        (request.server, request.allowNonNFS, request.dryRun) = (share.server, share.allowNonNFS, !o.fix)
        request.rstudioConfigDirectory = o.config.rstudioConfig
        (request.timeout, request.mountInfoText) = (timeout, mountInfo)
        let result = await Provisioner.run(request)
        findings += result.findings.filter { $0.severity >= .warn }
        if result.dryRun && !result.actions.isEmpty {
            findings.append(
                Finding(
                    .warn, "scratch-directory", subject: result.path,
                    "\(result.path) needs: " + result.actions.map(\.detail).joined(separator: "; "),
                    fix: "nfskeeper provision \(share.path) (or audit --fix)"))
        }
        return result
    }

    /// How long other nodes' files take to show through this node's mount.
    static func probeShare(_ share: AuditConfig.Share, _ o: Options, location: ServerLocation?,
                           timeout: Duration) async -> ProbeReport {
        var request = ProbeRequest(share: share.path, node: o.node)
        request.quick = o.quick
        (request.scenarios, request.samples) = (o.config.probeScenarios, o.config.probeSamples)
        request.maxWait = o.config.probeMaxWait.map { .milliseconds(Int64($0 * 1000)) }
        (request.timeout, request.targetDelay) = (timeout, Double(o.config.targetDelay))
        (request.server, request.allowNonNFS) = (share.server, share.allowNonNFS)
        (request.mountInfoPath, request.location) = (o.mountInfoPath, location)
        request.mountStatsPath = o.mountStatsPath
        if let report = o.probeProgress { request.progress = { report(share.path, $0) } }
        return await VisibilityProbe.run(request)
    }

    /// What to change, with the probe's figures when it measured.
    static func advise(_ share: AuditConfig.Share, _ o: Options, check: MountCheck?, probe: ProbeReport?) -> Advice? {
        guard let c = check, let options = c.effective, let point = c.mountPoint else { return nil }
        let p95 = probe?.scenarios.first { $0.scenario == .negativeLookup }?.p95Seconds
        return Advisor.advise(
            mountPoint: point, options: options, declared: c.declared, role: share.role,
            targetDelay: o.config.targetDelay, measuredP95: p95,
            probeCost: probe?.cost.map { (lookup: $0.lookup, getattr: $0.getattr) })
    }
}

extension Auditor {
    /// A full audit measures locks (the probe's attribute-change delay, when it ran, for staleness);
    /// a quick one shows the last full audit's result from the history, if there is one.
    static func auditLocks(
        _ share: AuditConfig.Share, _ o: Options, mountPoint: String, location: ServerLocation?,
        probe: ProbeReport?
    ) async -> LockSummary? {
        if o.quick {
            guard let path = o.config.historyPath else { return nil }
            let last = History.read(path).entries.last { $0.mountPoint == mountPoint && $0.locks != nil }
            return last?.locks?.reusedByQuickAudit()
        }
        var request = LockRequest(share: share.path, node: o.node)
        request.timeout = .milliseconds(Int64(o.config.timeout * 1000))
        (request.server, request.allowNonNFS) = (share.server, share.allowNonNFS)
        (request.mountInfoPath, request.location) = (o.mountInfoPath, location)
        request.readFileLocks(rstudioConfig: o.config.rstudioConfig)
        request.measuredAttributeDelay = probe?.scenarios.first { $0.scenario == .attributeChange }?.maxSeconds
        var report = await LockCheck.run(request)
        // A test setup said so: what a non-NFS view's own lock and attribute semantics cause is noted.
        if share.allowNonNFS && !["nfs", "nfs4"].contains(report.fsType ?? "") {
            report.findings = allowed(report.findings, rules: [.locksLocal, .linkNotSeen, .hardlinks])
        }
        return LockSummary(report, at: Date())
    }

    /// A share the configuration allows to be non-NFS (`allow_non_nfs`, a test setup): the findings of
    /// `rules`, which only say what such a view is, become info, "(allowed)" — noted, not alarmed.
    static func allowed(_ findings: [Finding], rules: Set<Rule>) -> [Finding] {
        findings.map { f in
            rules.contains(f.rule) ? Finding(.info, f.rule, subject: f.subject, f.message + " (allowed)") : f
        }
    }

    /// Connect writes its DataDir as root and as its RunAs users: on a root-squashed export root's
    /// files become nobody's. Judged where the audit knows both: the server's squash and Connect's
    /// configuration placing its DataDir on this share.
    static func connectOnSquashedShare(_ products: NodeProducts, mountPoint: String) -> [Finding] {
        guard
            let data = products.readiness.products.first(where: { $0.product == .connect })?
                .placements.first(where: { $0.setting == "Server.DataDir" }),
            data.mountPoint == mountPoint
        else { return [] }
        return [
            Finding(
                .crit, "connect-root-squash", subject: mountPoint,
                "Connect's Server.DataDir \(data.path) is on this share, whose export squashes root: "
                    + "Connect writes there as root and as its RunAs users",
                fix: "export the share to the Connect nodes with no_root_squash, or move Server.DataDir")
        ]
    }

    /// This node's Posit products: the facts (read once per audit, not per share; a tree below --root
    /// brings its own mount table) and their readiness, which several steps read.
    struct NodeProducts {
        var facts: NodeFacts
        var readiness: ReadinessReport

        init(_ o: Options) {
            let table = NodeFacts.mountInfoPath(root: o.root, otherwise: o.mountInfoPath)
            facts = NodeFacts.load(root: o.root, mountInfo: readWholeFile(table) ?? "")
            readiness = ReadinessCheck.run(facts, products: nil, node: o.node)
        }
    }

    /// This node's users and groups, as keyed fingerprints; nil without the cluster key.
    static func accountSummary(_ products: NodeProducts, key: ClusterKey?) -> AccountSummary? {
        key.map { key in ReadinessCheck.accountSummary(products.facts) { key.fingerprint($0) } }
    }

    /// Each installed Posit product's version, service ids and (with the cluster key) fingerprints of its
    /// settings and state locations, for the fleet's cross-node requirements. Without a key (nil): no
    /// fingerprints (the config-key finding says why).
    static func productSummaries(_ products: NodeProducts, key: ClusterKey?) -> [ProductSummary]? {
        let report = products.readiness
        guard !report.products.isEmpty else { return nil }
        return ReadinessCheck.summaries(report, products.facts) { key?.fingerprint($0) ?? "" }.map { summary in
            var s = summary
            if key == nil { (s.settings, s.targets) = ([:], [:]) }  // nothing comparable without the key
            return s
        }
    }

    /// Workbench's effective lock settings, when Workbench's configuration directory exists here.
    static func workbenchLockSettings(_ rstudioConfig: String) -> NodeReport.LockSettings? {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: rstudioConfig, isDirectory: &isDirectory), isDirectory
        else { return nil }
        let settings = FileLocksSettings.read(rstudioConfig: rstudioConfig)?.settings ?? FileLocksSettings()
        return NodeReport.LockSettings(settings)
    }

    /// This node's report for the fleet, written into the share; what went wrong on the way.
    /// Long: the report's fields are gathered in one place, so that what a node publishes reads in one pass.
    static func writeNodeReport(
        _ a: ShareAudit, _ o: Options, _ products: NodeProducts,
        kernel: KernelView
    ) -> [Finding] {
        var findings: [Finding] = []
        let directory = NodeDirectory(share: a.path, kernel: kernel)
        let launcher = NodeReport.launcher(rstudioConfig: o.config.rstudioConfig)
        let (address, port) = (o.launcherAddress ?? launcher.address, o.launcherPort ?? launcher.port)
        let reports = directory.readAll().reports  // one read of the share serves reachability and sightings
        // Reach every other fresh node's launcher, as Workbench's load balancing needs.
        let fresh = reports.filter { FleetReport.isFresh($0) }
        // and their Workbench ports, which its load balancer forwards sessions to: one bounded step.
        let targets = LauncherReach.targets(fresh, except: o.node)
        let wwwTargets = LauncherReach.targets(fresh, except: o.node, port: \.wwwPort)
        if targets.count + wwwTargets.count > LauncherReach.maxTargets {
            findings.append(
                Finding(
                    .info, "node-report", subject: a.path,
                    "\(targets.count + wwwTargets.count) ports in the share's reports: "
                        + "only \(LauncherReach.maxTargets) are tried per audit"))
        }
        let timeout = Duration.milliseconds(Int64(min(o.config.timeout, 5) * 1000))
        let reached = LauncherReach.reach(targets + wwwTargets, timeout: timeout)
        let reachability = Array(reached.prefix(targets.count))
        let wwwReachability = Array(reached.dropFirst(targets.count))
        let fingerprints = ConfigFingerprints.compute(
            rstudioConfig: o.config.rstudioConfig, root: o.root,
            keyFile: o.config.fingerprintKeyFile)
        if let problem = fingerprints.problem {
            findings.append(
                Finding(
                    .info, "config-key", subject: a.path,
                    "configuration fingerprints not published: \(problem)",
                    fix: "keep /etc/rstudio/secure-cookie-key (mode 0600) the same on every node, "
                        + "or set fingerprint_key_file"))
        }
        let mount = a.check.flatMap { c in
            c.effective.map {
                NodeReport.MountSummary(mountPoint: c.mountPoint ?? a.path, source: c.source ?? "", options: $0)
            }
        }
        // Cross-node visibility: first what this node now sees of the others' markers, then its own.
        let offset = a.server?.clock?.offsetSeconds ?? 0
        let previous = reports.first { $0.node == o.node }?.sightings ?? []  // absent before the first audit
        let sightings = directory.sightings(for: o.node, offset: offset, previous: previous)
        _ = directory.writeMarker(node: o.node, offset: offset)
        let scenarios = a.probe?.scenarios ?? []
        var node = NodeReport(
            node: o.node, version: o.version, time: Date(), share: a.path, mount: mount,
            scratchDirectoryOK: a.scratchDirectoryOK,
            clockOffsetSeconds: a.server?.clock?.offsetSeconds,
            negativeLookupP95Seconds: scenarios.first { $0.scenario == .negativeLookup }?.p95Seconds,
            listingP95Seconds: scenarios.first { $0.scenario == .listing }?.p95Seconds,
            configHashes: fingerprints.hashes, configKeyID: fingerprints.keyID,
            launcherAddress: address, launcherPort: port, reachability: reachability, sightings: sightings,
            severity: a.severity)
        node.fileLocks = workbenchLockSettings(o.config.rstudioConfig)
        node.wwwPort = o.wwwPort ?? NodeReport.wwwPort(rstudioConfig: o.config.rstudioConfig)
        node.wwwReachability = wwwReachability
        // One load of the cluster key serves both summaries.
        let key = try? ClusterKey.load(rstudioConfig: o.config.rstudioConfig,
                                       keyFile: o.config.fingerprintKeyFile).get()
        node.products = productSummaries(products, key: key)
        node.accounts = accountSummary(products, key: key)
        let file = "\(a.path)/.nfskeeper/nodes/\(NodeDirectory.fileName(for: o.node))"
        switch directory.write(node) {
        case .success: break
        case .failure(let e):
            findings.append(Finding(.warn, "node-report", subject: a.path, "could not write \(file): \(e.description)"))
        case .timedOut: findings.append(Finding(.warn, "node-report", subject: a.path, "writing \(file) timed out"))
        }
        return findings
    }
}
