import Check
import Reports
import ServerView

/// What `nfskeeper probe` is asked to measure.
public struct ProbeRequest: Sendable {
    /// A directory on the mount under test; the probe works in `<share>/.nfskeeper/probe`.
    public var share: String
    public var scenarios: [Scenario] = Scenario.allCases
    public var samples = 8
    /// How long a trial waits for its change to show; default: the window the options predict plus a margin.
    public var maxWait: Duration?
    public var interval: Duration = .milliseconds(10)
    public var timeout: Duration = .seconds(10)
    public var server: ServerURL?
    public var allowNonNFS = false
    public var node: String
    /// AUTH_SYS identity of the server view; use a non-root owner of the share where root is squashed.
    public var credentials = NFSCredentials.mostPrivileged
    /// Who plays the other node: libnfs, or a private kernel mount of the share's export.
    public var otherNode = OtherNodeChoice.auto
    /// Seconds of delay beyond which a scenario that hurts is a warning.
    public var targetDelay = 5.0
    public var mountInfoPath = "/proc/self/mountinfo"
    /// The share already located by the caller (the audit, once per share): used as it is.
    public var location: ServerLocation?
    public var mountStatsPath = "/proc/self/mountstats"
    /// Only the first verdict (about a second), no full measurement.
    public var quick = false
    /// Called once the first verdict is in, before the full measurement starts.
    public var onFirstVerdict: (@Sendable (FirstVerdict?) -> Void)?
    /// Reads the server's numeric owner for the NFSv4 id-mapping comparison (`ServerOwners.reader`); nil: no
    /// comparison (the audit's check compares the share's own owner).
    public var serverOwners: ServerOwnerReader?
    /// This node's NFSv4 id mapping; nil: read from /etc/idmapd.conf and the nfs module now.
    public var idMap: IdMapSettings?
    /// Called about four times a second while trials wait.
    public var progress: (@Sendable (ProbeProgress) -> Void)?

    public init(share: String, node: String) {
        self.share = share
        self.node = node
    }
}

public struct ProbeProgress: Sendable {
    public var elapsed: Duration
    /// The plan's length: the options' window when they predict one (`isBound` false), else max-wait.
    public var expected: Duration
    public var isBound = false
    public var done: Int
    public var total: Int
}

/// The answer to the question an admin asks first: does this mount hide another node's new file under a
/// name it already looked up? From one primed trial watched for a short, stated time.
public struct FirstVerdict: Codable, Sendable {
    /// The first poll after the server made the name did not show it: this node answered from its cache.
    public var hidesNewFile: Bool
    public var watchedSeconds: Double
    /// When it did show within `watchedSeconds`: how long after the server made it.
    public var seenAfterSeconds: Double?
    /// From the probe's start until this verdict was known.
    public var tookSeconds: Double
    /// The longest the options let this node hide it; nil when they are unknown (not NFS).
    public var predictedSeconds: Int?
}

/// One scenario's distribution of delays (server reply → visible through this node's mount).
public struct ScenarioResult: Codable, Sendable {
    public var scenario: Scenario
    public var samples: Int
    /// Trials whose change never showed within `maxWaitSeconds`.
    public var neverVisible: Int
    public var minSeconds: Double?
    public var medianSeconds: Double?
    public var p95Seconds: Double?
    public var maxSeconds: Double?
    /// The longest delay the mount options allow; nil when they are unknown (not NFS).
    public var predictedSeconds: Int?
    /// The longest time between this node fetching what a trial watched and the server's change:
    /// a delay can fall short of the full cache window by up to this much (server calls queued, a
    /// loaded node). Milliseconds on an idle node.
    public var maxLagSeconds: Double?
    /// The longest time between a trial's last poll that did not see its change and the end of the
    /// poll that did: a delay can exceed the moment the change showed by up to this much. About the
    /// poll period; longer when a poll waits on an RPC or the node stalls.
    public var maxPollGapSeconds: Double?
    /// Trials started again on a spare directory because the server's change completed more than
    /// `VisibilityProbe.disturbedLag` after this node's fetch; nil in reports that predate the count.
    public var rerunTrials: Int?
    public var verdict: String
    public var severity: Severity
}

/// RPCs the probe caused on this mount, from /proc/self/mountstats before and after, per sample.
public struct ProbeCost: Codable, Sendable {
    public var samples: Int
    public var lookup: Double
    public var getattr: Double
    public var access: Double
    public var readdir: Double
}

public struct ProbeReport: Codable, Sendable {
    /// The run's worst finding (every scenario verdict of warn or worse is a finding too).
    public var severity: Severity = .ok
    public var findings: [Finding] = []
    public var share: String
    /// What every figure means.
    public var meaning = ProbeReport.meaning
    public var quick = false
    public var firstVerdict: FirstVerdict?
    /// On NFSv4: the owner this node shows for a directory the probe made as a known uid, beside the server's.
    public var owners: OwnerComparison?
    public var directory: String?
    public var mountPoint: String?
    public var fsType: String?
    public var serverURL: String?
    /// Which other node made the changes this node measured (`OtherNode`'s words).
    public var otherNode: String?
    public var options: String?
    public var intervalSeconds: Double
    /// The measured time between two polls of the same name: the resolution of every figure.
    public var resolutionSeconds: Double?
    /// Median GETATTR round trip of the server view: the floor under every delay.
    public var serverRoundTripSeconds: Double?
    public var maxWaitSeconds: Double
    public var wallSeconds: Double
    public var scenarios: [ScenarioResult] = []
    public var cost: ProbeCost?
    public var costNote: String?
    /// Files and directories of killed runs removed first, and of this run removed at its end.
    public var leftoversRemoved = 0
    public var removedAtEnd = 0

    public static let meaning = "each trial runs in a directory of its own that nothing else touches: the delay "
        + "a quiet directory shows, the worst case to plan for; on NFSv3 a busy directory shows shorter delays, "
        + "because other lookups in it refresh its attributes"
}
