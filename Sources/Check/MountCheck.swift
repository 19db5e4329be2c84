import SystemPackage
import KernelView
import Mounts
import Reports
import NFSModel

/// What `check` found for one path (or one NFS mount).
public struct MountCheck: Codable, Sendable {
    /// The path asked about (the mount point when none was given).
    public var path: String
    public var mountPoint: String?
    public var source: String?
    public var fsType: String?
    /// mountinfo's super options: what the kernel prints, defaults omitted.
    public var liveOptions: String?
    /// mountstats' `opts:` line, when available.
    public var statsOptions: String?
    /// The options with every default applied.
    public var effective: NFSMountOptions?
    /// Seconds a name seen as missing can stay invisible after another node creates it.
    public var negativeLookupWindow: DelayWindow?
    /// The server view's URL for this mount (`--server` overrides it).
    public var serverURL: ServerURL?
    /// NFSv4: the owner of the path as this node shows it, beside the server's (id mapping).
    public var owners: OwnerComparison?
    public var declared: [DeclaredMount]
    public var findings: [Finding]
}

/// The whole `check` run.
public struct CheckReport: Codable, Sendable {
    public var mounts: [MountCheck]
    /// Findings not about one mount (no NFS mounts at all, unreadable input).
    public var findings: [Finding]
    /// Lines of input that could not be parsed and were skipped.
    public var warnings: [String]
    public var severity: Severity

    public var allFindings: [Finding] { findings + mounts.flatMap(\.findings) }
}

/// Inputs of a check: a node's mount table and counters (live or saved) and its declarations.
public struct CheckInput: Sendable {
    public var mountInfo: MountInfo
    public var mountStats: MountStats?
    /// nil when the declarations are not this mount table's (a saved mountinfo with no `--root`).
    public var declared: DeclaredMounts?
    /// nil for an offline check of saved files: paths are then matched as text, never touched.
    public var kernel: KernelView?
    public var rules: MountRules
    public var serverOverride: ServerURL?
    /// This node's NFSv4 id mapping, for the owners of NFSv4 mounts: read for live checks only (nil: from
    /// this node's /), never for a saved mount table from another node.
    public var idMap: IdMapSettings

    public init(
        mountInfo: MountInfo, mountStats: MountStats?, declared: DeclaredMounts?, kernel: KernelView?,
        rules: MountRules = MountRules(), serverOverride: ServerURL? = nil, idMap: IdMapSettings? = nil
    ) {
        self.idMap = idMap ?? (kernel == nil ? .unknown : .read())
        self.mountInfo = mountInfo
        self.mountStats = mountStats
        self.declared = declared
        self.kernel = kernel
        self.rules = rules
        self.serverOverride = serverOverride
    }
}

public enum Checker {
    /// Checks `paths`, or every NFS mount when `paths` is empty.
    public static func run(paths: [String], _ input: CheckInput) -> CheckReport {
        let table = MountTable(input.mountInfo)
        var findings: [Finding] = []
        let warnings =
            (input.mountInfo.warnings + (input.mountStats?.warnings ?? []) + (input.declared?.warnings ?? [])).map(
                \.description)
        var checks: [MountCheck] = []
        if paths.isEmpty {
            checks = table.nfsMounts.map {
                check(path: $0.mountPoint, entry: $0, input, resolved: $0.mountPoint)
            }
            if checks.isEmpty {
                findings.append(
                    Finding(
                        .unknown, "no-nfs", "no NFS mounts in the mount table",
                        fix: "name the shared directory to check"))
            }
        } else {
            checks = paths.map { check(path: $0, input, table: table) }
        }
        if input.mountInfo.entries.isEmpty {
            findings.append(
                Finding(
                    .unknown, "input",
                    "the mount table is empty or unreadable (\(input.mountInfo.warnings.count) lines skipped)"))
        }
        let all = findings + checks.flatMap(\.findings)
        return CheckReport(mounts: checks, findings: findings, warnings: warnings, severity: all.worst)
    }

    static func check(path: String, _ input: CheckInput, table: MountTable) -> MountCheck {
        var resolved = path
        var device: (UInt32, UInt32)?
        if let kernel = input.kernel {
            switch kernel.realpath(path) {
            case .success(let real): resolved = real
            case .timedOut:
                return failed(
                    path, .crit, "hung",
                    "\(path) does not answer within \(kernel.timeout): a hard mount whose server is down or "
                    + "unreachable",
                    fix:
                        "check the server (nfskeeper server URL) and the network; processes touching this mount "
                        + "wait until it answers"
                )
            case .failure(let errno):
                return failed(
                    path, .crit, "not-mounted", "\(path): \(errno.description)", fix: "mount the share on this node")
            }
            if let st = kernel.lstat(resolved).value { device = (st.deviceMajor, st.deviceMinor) }
        }
        guard let entry = table.mount(containing: resolved, device: device.map { (major: $0.0, minor: $0.1) }) else {
            return failed(path, .crit, "not-mounted", "no mount holds \(path)")
        }
        guard entry.isNFS else {
            var result = failed(
                path, .crit, "not-nfs",
                "\(path) is on \(entry.fsType) (\(entry.source) at \(entry.mountPoint)), not NFS: each node would "
                + "have its own copy",
                fix: "mount the NFS share so that it holds \(path)")
            result.mountPoint = entry.mountPoint
            result.source = entry.source
            result.fsType = entry.fsType
            return result
        }
        var result = check(path: path, entry: entry, input, resolved: resolved)
        if path != entry.mountPoint { result.path = path }
        return result
    }

    /// `resolved`: the path with its symlinks resolved (live checks), whose owner an NFSv4 mount shows.
    static func check(path: String, entry: MountInfoEntry, _ input: CheckInput, resolved: String) -> MountCheck {
        let readOnly = entry.isReadOnly ? ",ro" : ""
        let live = NFSMountOptions(parsing: entry.superOptions + readOnly, fsType: entry.fsType)
        let stats = input.mountStats?.device(mountedOn: entry.mountPoint)
        let declared = input.declared?.declarations(for: entry.mountPoint) ?? []
        var findings = input.rules.findings(mountPoint: entry.mountPoint, options: live)
        if input.declared != nil {
            findings += Drift.findings(mountPoint: entry.mountPoint, live: live, declared: declared)
        }
        if let text = stats?.options {
            let fromStats = NFSMountOptions(parsing: text, fsType: entry.fsType)
            let pairs = [
                ("acregmin", live.acregmin, fromStats.acregmin), ("acregmax", live.acregmax, fromStats.acregmax),
                ("acdirmin", live.acdirmin, fromStats.acdirmin), ("acdirmax", live.acdirmax, fromStats.acdirmax),
            ]
            for (name, a, b) in pairs where a != b {
                findings.append(
                    Finding(
                        .warn, "mountstats", subject: entry.mountPoint, option: name, value: String(b),
                        "mountinfo implies \(name)=\(a) but mountstats reports \(name)=\(b): the saved files may "
                        + "come from different moments or mounts"
                    ))
            }
        }
        let window = live.negativeLookupWindow
        let url = input.serverOverride ?? ServerURL(mountSource: entry.source, options: live)
        var result = MountCheck(
            path: path, mountPoint: entry.mountPoint, source: entry.source, fsType: entry.fsType,
            liveOptions: entry.superOptions, statsOptions: stats?.options, effective: live,
            negativeLookupWindow: DelayWindow(window),
            serverURL: url, declared: declared, findings: findings)
        if live.majorVersion == 4, let kernel = input.kernel, let shown = kernel.lstat(resolved).value {
            let serverPath = entry.pathInFilesystem(resolved, root: input.serverOverride == nil ? entry.root : "/")
            result.owners = OwnerComparison(
                path: resolved, serverPath: serverPath, serverURL: url,
                kernel: Owner(uid: shown.uid, gid: shown.gid), idMap: input.idMap)
            result.findings += IdMapping.findings(result.owners!, subject: entry.mountPoint)
        }
        return result
    }

    static func failed(
        _ path: String, _ severity: Severity, _ rule: Rule, _ message: String,
        fix: String? = nil
    ) -> MountCheck {
        MountCheck(path: path, declared: [], findings: [Finding(severity, rule, subject: path, message, fix: fix)])
    }
}

extension CheckReport {
    /// Adds the server's numeric owner to each NFSv4 mount's owner comparison and judges them again.
    public mutating func compareOwners(_ read: ServerOwnerReader) async {
        for i in mounts.indices {
            guard var owners = mounts[i].owners else { continue }
            let found = await owners.judge(reading: read, subject: mounts[i].mountPoint ?? mounts[i].path)
            mounts[i].owners = owners
            mounts[i].findings.removeAll { IdMapping.rules.contains($0.rule) }
            mounts[i].findings += found
        }
        severity = allFindings.worst
    }
}
