import SystemPackage
import FoundationEssentials
import Reports
import ServerView

/// What the server view sees of one server and export: `nfskeeper server URL`.
///
/// Every step is bounded by the timeout; a step that fails is reported with its reason and the
/// survey goes on where that makes sense (an unreachable server ends it).
public struct ServerSurvey: Codable, Sendable {
    public var url: String
    public var server: String
    public var reachable: Bool
    public var connectSeconds: Double?
    public var versions: [VersionAnswer]
    public var roundTrip: RoundTrip?
    public var clock: ServerClockReading?
    public var rootSquash: RootSquash?
    public var writable: Bool?
    public var filesystem: NFSFileSystemStats?
    public var exports: [NFSExport]?
    public var findings: [Finding]
    /// The worst finding's severity: the run's exit code.
    public private(set) var severity: Severity = .ok

    /// `url` is `serverURL` in JSON, the name every other command uses for the server view's URL.
    enum CodingKeys: String, CodingKey {
        case url = "serverURL"
        case server, reachable, connectSeconds, versions, roundTrip, clock, rootSquash, writable, filesystem, exports
        case findings, severity
    }

    public struct VersionAnswer: Codable, Sendable {
        public var version: Int
        public var answers: Bool
        public var error: String?
    }

    /// GETATTR round trips of the export's root, on this node's monotonic clock.
    public struct RoundTrip: Codable, Sendable {
        public var version: Int
        public var samples: Int
        public var minSeconds: Double
        public var medianSeconds: Double
        public var p99Seconds: Double
    }

    /// What the server did with uid 0: a file created as root, and the owner it got.
    public struct RootSquash: Codable, Sendable {
        public var squashed: Bool
        /// The owner the server gave root's file (65534 when squashed to nobody); nil when the
        /// server refused the create (EACCES as root itself means squashed).
        public var mappedUid: UInt32?
        public var evidence: String
    }

    /// Runs the survey. `node` names the temporary file (unique per node and process).
    public static func run(
        _ url: ServerURL, samples: Int = 20, timeout: Duration = .seconds(10),
        node: String = ProcessInfo.processInfo.hostName
    ) async -> ServerSurvey {
        var survey = ServerSurvey(
            url: url.description, server: url.serverAndExport, reachable: false,
            versions: [], findings: [])
        await survey.survey(url, samples: samples, timeout: timeout, node: node)
        return survey
    }

    private mutating func note(_ severity: Severity, _ rule: Rule, _ message: String, fix: String? = nil) {
        findings.append(Finding(severity, rule, subject: server, message, fix: fix))
        self.severity = max(self.severity, severity)
    }

    /// The server is up and said no to this export (no such export, not exported to this client):
    /// reachable, and what it does export, from its MOUNT export list.
    private mutating func refused(_ url: ServerURL, _ refusals: [String], timeout: Duration) {
        reachable = true
        // A server that lists no exports (or refuses to) still answers the rest of the survey.
        exports = try? ServerView.exports(host: url.host, mountPort: url.mountPort, timeout: timeout)
        let listed =
            exports.map { list in
                list.isEmpty ? "it lists no exports" : "it exports " + list.map(\.path).joined(separator: ", ")
            } ?? "its export list is unavailable"
        note(
            .crit, "export",
            "\(url.host) answers but refuses \(url.export) (\(refusals.joined(separator: "; "))): "
                + "no such export, or not exported to this client",
            fix: "use an exported path (\(listed)), or export "
                + "\(url.export) to this node on the server")
    }

    /// One sequence of RPCs in the order the report lists them; long because each step's failure is its own finding.
    private mutating func survey(_ url: ServerURL, samples: Int, timeout: Duration, node: String) async {
        // 1. Which versions answer, as root when run as root (root's identity is what squash is about).
        var views: [ServerURL.Version: ServerView] = [:]
        var refusals: [String] = []  // the server answered, and the answer was no
        for version in ServerURL.Version.allCases {
            let clock = ContinuousClock()
            let start = clock.now
            do {
                views[version] = try await ServerView.connect(
                    url.with(version: version), as: .mostPrivileged, timeout: timeout)
                if version == url.version { connectSeconds = (clock.now - start).seconds }
                versions.append(VersionAnswer(version: version.rawValue, answers: true))
            } catch {
                versions.append(VersionAnswer(version: version.rawValue, answers: false, error: error.description))
                if error.isServerAnswer { refusals.append("NFSv\(version.rawValue): \(error.errno.description)") }
                if version == url.version && !error.isServerAnswer {
                    note(.crit, "unreachable", "\(url.serverAndExport) NFSv\(version.rawValue): \(error.description)")
                }
            }
            if Task.isCancelled { return }
        }
        guard let view = views[url.version] ?? views.values.first else {
            if !refusals.isEmpty {
                refused(url, refusals, timeout: timeout)
            } else if findings.isEmpty {
                note(.crit, "unreachable", "no NFS version answered on \(url.serverAndExport)")
            }
            return
        }
        reachable = true
        let usedVersion = await view.url.version
        if views[url.version] == nil {
            note(
                .warn, "version",
                "NFSv\(url.version.rawValue) does not answer; surveyed over NFSv\(usedVersion.rawValue)")
        }

        // 2. Round trip.
        // On the session's own thread, so the figure is the server's, not thread hand-offs'.
        var times = await withTaskExecutorPreference(view.taskExecutor) {
            var times: [Double] = []
            for _ in 0..<max(1, samples) {
                // A failed sample ends the sampling; the samples taken stand.
                guard !Task.isCancelled, let t = try? await view.timedGetattr() else { break }
                times.append(t.seconds)
            }
            return times
        }
        if !times.isEmpty {
            times.sort()
            roundTrip = RoundTrip(
                version: usedVersion.rawValue, samples: times.count, minSeconds: times[0],
                medianSeconds: percentile(times, 0.5), p99Seconds: percentile(times, 0.99))
            if percentile(times, 0.5) > 0.020 {
                note(
                    .warn, "latency",
                    "median GETATTR round trip \(formatSeconds(percentile(times, 0.5))): every cache revalidation "
                        + "costs this much"
                )
            }
        }

        // 3. Root squash, writability and the clock, through one temporary file made as root.
        await probeWithTemporaryFile(view, node: node)
        // Space is reported when the server says it; its absence is shown as such.
        filesystem = try? await view.statvfs()

        // 4. The export list (MOUNT protocol; NFSv4-only servers may not run it).
        do {
            exports = try ServerView.exports(host: url.host, mountPort: url.mountPort, timeout: timeout)
        } catch {
            note(.info, "exports", "export list unavailable: \(error.description)")
        }
    }

    private mutating func probeWithTemporaryFile(_ view: ServerView, node: String) async {
        let asRoot = await view.credentials == .root
        if !asRoot {
            note(
                .info, "privileges",
                "not run as root: root squash and writability are not checked (only root may present uid 0)")
            return
        }
        let removed = await view.removeLeftovers(in: "/", purpose: "server", node: node)
        if !removed.isEmpty {
            note(.info, "cleanup", "removed \(removed.count) file(s) a killed run of this node left at the export root")
        }
        let name = "/" + TemporaryName.make(purpose: "server", node: node)
        let reading: NewFileReading
        do {
            reading = try await view.readNewFile(name)
        } catch {
            switch error.errno {
            case .readOnlyFileSystem:
                writable = false
                note(.warn, "read-only", "the export is read-only (EROFS): nothing can be provisioned or probed on it")
            case .permissionDenied:
                writable = false
                rootSquash = RootSquash(
                    squashed: true, mappedUid: nil,
                    evidence: "creating a file as uid 0 was refused (EACCES)")
                note(
                    .info, "root-squash",
                    "root is squashed: root cannot write the export's root directory; "
                        + "provisioning acts as the owner instead")
            default:
                note(.warn, "write", "could not create, stamp and remove a test file as root: \(error.description)")
            }
            return
        }
        writable = true
        judge(reading)
    }

    private mutating func judge(_ reading: NewFileReading) {
        if let owner = reading.owner {
            rootSquash = RootSquash(squashed: owner != 0, mappedUid: owner, evidence: reading.ownerEvidence)
            if owner != 0 {
                note(
                    .info, "root-squash",
                    "root is squashed to uid \(owner): a root chown through the kernel mount "
                        + "fails with EPERM; provisioning acts as the owner instead")
            }
        } else {
            note(.info, "root-squash", "root squash not judged: \(reading.ownerEvidence)")
        }
        guard let clock = reading.clock else { return }
        self.clock = clock
        let skew = abs(clock.offsetSeconds)
        if skew >= 1 {
            note(
                skew >= 30 ? .crit : .warn, "clock",
                "the server's clock is \(formatSeconds(clock.offsetSeconds)) "
                    + "off this node's: synchronise clocks (chrony/NTP)")
        }
    }
}

