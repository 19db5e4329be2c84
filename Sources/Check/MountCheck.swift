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
    public var negativeLookupWindow: Window?
    /// The server view's URL for this mount (`--server` overrides it).
    public var serverURL: String?
    public var declared: [DeclaredMount]
    public var findings: [Finding]

    public struct Window: Codable, Sendable, Hashable {
        public var minSeconds: Int
        public var maxSeconds: Int
    }
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

    public init(mountInfo: MountInfo, mountStats: MountStats?, declared: DeclaredMounts?, kernel: KernelView?,
                rules: MountRules = MountRules(), serverOverride: ServerURL? = nil) {
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
        let warnings = (input.mountInfo.warnings + (input.mountStats?.warnings ?? []) + (input.declared?.warnings ?? [])).map(\.description)
        var checks: [MountCheck] = []
        if paths.isEmpty {
            checks = table.nfsMounts.map { check(path: $0.mountPoint, entry: $0, input) }
            if checks.isEmpty {
                findings.append(Finding(.unknown, "no-nfs", "no NFS mounts in the mount table", fix: "name the shared directory to check"))
            }
        } else {
            checks = paths.map { check(path: $0, input, table: table) }
        }
        if input.mountInfo.entries.isEmpty {
            findings.append(Finding(.unknown, "input", "the mount table is empty or unreadable (\(input.mountInfo.warnings.count) lines skipped)"))
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
                return failed(path, .crit, "hung", "\(path) does not answer within \(kernel.timeout): a hard mount whose server is down or unreachable",
                              fix: "check the server (nfskeeper server URL) and the network; processes touching this mount wait until it answers")
            case .failure(let errno):
                return failed(path, .crit, "not-mounted", "\(path): \(errno.description)", fix: "mount the share on this node")
            }
            if let st = kernel.lstat(resolved).value { device = (st.deviceMajor, st.deviceMinor) }
        }
        guard let entry = table.mount(containing: resolved, device: device.map { (major: $0.0, minor: $0.1) }) else {
            return failed(path, .crit, "not-mounted", "no mount holds \(path)")
        }
        guard entry.isNFS else {
            var result = failed(path, .crit, "not-nfs",
                                "\(path) is on \(entry.fsType) (\(entry.source) at \(entry.mountPoint)), not NFS: each node would have its own copy",
                                fix: "mount the NFS share so that it holds \(path)")
            result.mountPoint = entry.mountPoint
            result.source = entry.source
            result.fsType = entry.fsType
            return result
        }
        var result = check(path: path, entry: entry, input)
        if path != entry.mountPoint { result.path = path }
        return result
    }

    static func check(path: String, entry: MountInfoEntry, _ input: CheckInput) -> MountCheck {
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
            let pairs = [("acregmin", live.acregmin, fromStats.acregmin), ("acregmax", live.acregmax, fromStats.acregmax),
                         ("acdirmin", live.acdirmin, fromStats.acdirmin), ("acdirmax", live.acdirmax, fromStats.acdirmax)]
            for (name, a, b) in pairs where a != b {
                findings.append(Finding(.warn, "mountstats", subject: entry.mountPoint, option: name, value: String(b),
                                        "mountinfo implies \(name)=\(a) but mountstats reports \(name)=\(b): the saved files may come from different moments or mounts"))
            }
        }
        let window = live.negativeLookupWindow
        let url = input.serverOverride ?? ServerURL(mountSource: entry.source, options: live)
        return MountCheck(path: path, mountPoint: entry.mountPoint, source: entry.source, fsType: entry.fsType,
                          liveOptions: entry.superOptions, statsOptions: stats?.options, effective: live,
                          negativeLookupWindow: .init(minSeconds: window.lowerBound, maxSeconds: window.upperBound),
                          serverURL: url?.description, declared: declared, findings: findings)
    }

    static func failed(_ path: String, _ severity: Severity, _ rule: String, _ message: String, fix: String? = nil) -> MountCheck {
        MountCheck(path: path, declared: [], findings: [Finding(severity, rule, subject: path, message, fix: fix)])
    }
}
