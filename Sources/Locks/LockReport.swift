import Check
import FoundationEssentials
import Mounts
import NFSModel
import PositConfig
import Reports

/// What `nfskeeper locks` asks for.
public struct LockRequest: Sendable {
    public var share: String
    public var node: String
    public var timeout: Duration = .seconds(10)
    public var server: ServerURL?
    public var allowNonNFS = false
    public var credentials = NFSCredentials.mostPrivileged
    /// Workbench's `file-locks`, and where it was read (nil: not found, Workbench's defaults).
    public var fileLocks = FileLocksSettings()
    public var fileLocksPath: String?
    /// How long another node may see a stale mtime, when measured (the probe's attribute-change
    /// delay); nil: the mount's `acregmax`, the longest the kernel allows.
    public var measuredAttributeDelay: Double?
    public var mountInfoPath = "/proc/self/mountinfo"
    /// The share already located by the caller (the audit, once per share): used as it is.
    public var location: ServerLocation?

    public init(share: String, node: String) { (self.share, self.node) = (share, node) }
}

/// Whether `fcntl` locks taken on this node and by another node exclude each other.
public struct AdvisoryLockResult: Codable, Sendable, Hashable {
    public enum Verdict: String, Codable, Sendable {
        /// Both directions refused: the server arbitrates this node's locks.
        case coherent
        /// A lock both sides got: this node's locks are local (or the other side's are).
        case local
        /// This node cannot take a lock at all (ENOLCK: no lock manager, no rpc.statd).
        case unavailable
        /// The other node's side could not be played (libnfs locks only over NFSv4).
        case notMeasured = "not-measured"
    }

    public var verdict: Verdict
    /// While this node held a write lock, did the server report it to another node (LOCKT denied)?
    public var serverSawNodeLock: Bool?
    /// While another node held a write lock, was this node's `F_SETLK` refused?
    public var nodeSawServerLock: Bool?
    /// What happened, in one sentence.
    public var detail: String
}

/// Whether a Workbench-style link-based lock works: a unique file hard-linked to the lock's name.
public struct LinkLockResult: Codable, Sendable, Hashable {
    public enum Verdict: String, Codable, Sendable {
        case works
        /// link(2) refused (EPERM, ENOTSUP, EMLINK): the filer has no hard links here.
        case refused
        /// The link was made here, but the server does not show it as the same file with two links.
        case notSeen = "not-seen"
    }

    public var verdict: Verdict
    public var linksOnNode: UInt64?
    public var linksOnServer: UInt64?
    public var detail: String
}

/// Whether another node could judge a held link-based lock stale and take it.
///
/// A holder touches its lock every `refreshRate` s; another node reads the mtime, which may be up
/// to `attributeStaleness` s old in its attribute cache and is stamped by the server's clock, and
/// compares it with its own clock: the lock looks stale once `timeoutInterval` has passed. So
/// `timeoutInterval` must exceed `refreshRate + attributeStaleness + |clockOffset|`.
public struct LockStaleness: Codable, Sendable, Hashable {
    public var lockType: FileLocksSettings.LockType
    public var timeoutInterval: Double
    public var refreshRate: Double
    public var attributeStalenessSeconds: Double
    /// "measured" (the probe's attribute-change delay) or "acregmax".
    public var stalenessSource: String
    public var clockOffsetSeconds: Double?
    /// refresh + staleness + |offset|: how old a live lock's mtime can look to another node.
    public var worstApparentAgeSeconds: Double {
        refreshRate + attributeStalenessSeconds + abs(clockOffsetSeconds ?? 0)
    }
    /// timeout − worst apparent age; ≤ 0: a held lock can be taken over.
    public var marginSeconds: Double { timeoutInterval - worstApparentAgeSeconds }
    public var hazard: Bool { marginSeconds <= 0 }
}

/// The result of `nfskeeper locks`.
public struct LockReport: Codable, Sendable {
    public var share: String
    public var mountPoint: String?
    public var fsType: String?
    public var serverURL: String?
    public var options: String?
    public var fileLocksPath: String?
    public var advisory: AdvisoryLockResult?
    public var linkBased: LinkLockResult?
    public var staleness: LockStaleness?
    public var leftoversRemoved: [String] = []
    public var findings: [Finding] = []
    public var severity: Severity = .ok
    public var wallSeconds = 0.0

    public init(share: String) { self.share = share }

    mutating func add(_ severity: Severity, _ rule: Rule, _ message: String, fix: String? = nil) {
        findings.append(Finding(severity, rule, subject: share, message, fix: fix))
    }
}

extension FileLocksSettings {
    /// `<rstudioConfig>/file-locks` (at most 1 MiB) and its path; nil when there is none: Workbench's
    /// defaults apply.
    public static func read(rstudioConfig: String) -> (settings: FileLocksSettings, path: String)? {
        let path = rstudioConfig + "/" + defaultPath
        return readWholeFile(path, limit: 1 << 20).map { (FileLocksSettings(parsing: $0), path) }
    }
}

extension LockRequest {
    /// Reads `<rstudioConfig>/file-locks` into `fileLocks` and `fileLocksPath` (nil when missing).
    public mutating func readFileLocks(rstudioConfig: String) {
        guard let (settings, path) = FileLocksSettings.read(rstudioConfig: rstudioConfig) else { return }
        (fileLocks, fileLocksPath) = (settings, path)
    }
}

/// What an audit keeps of a lock check: the verdicts, the margin and the findings, with when they
/// were measured. A quick audit shows the last full audit's summary (`reused`) instead of measuring.
public struct LockSummary: Codable, Sendable, Hashable {
    public var advisory: AdvisoryLockResult.Verdict?
    public var linkBased: LinkLockResult.Verdict?
    public var stalenessMarginSeconds: Double?
    public var measuredAt: Date
    public var findings: [Finding]
    public var reused = false

    public init(_ report: LockReport, at time: Date) {
        advisory = report.advisory?.verdict
        linkBased = report.linkBased?.verdict
        stalenessMarginSeconds = report.staleness?.marginSeconds
        measuredAt = time
        findings = report.findings
    }

    /// The same summary, as a later quick audit shows it: each finding says when it was measured.
    public func reusedByQuickAudit() -> LockSummary {
        var copy = self
        copy.reused = true
        let when = measuredAt.formatted(.iso8601)
        copy.findings = findings.map { f in
            var f = f
            f.message += " (measured by the full audit at \(when))"
            return f
        }
        return copy
    }
}
