import SystemPackage
import FoundationEssentials
import KernelView
import Mounts
import Reports
import NFSModel
import PositConfig

/// What one node tells the others, through the share itself:
/// `<share>/.nfskeeper/nodes/<node>.json`, written by each audit.
public struct NodeReport: Codable, Sendable {
    public struct MountSummary: Codable, Sendable, Hashable {
        public var mountPoint: String
        public var source: String
        public var vers: String
        public var lookupcache: String
        public var acdirmin: Int
        public var acdirmax: Int
        public var cto: Bool
        public var lock: Bool
        public var recovery: String

        public init(mountPoint: String, source: String, options o: NFSMountOptions) {
            (self.mountPoint, self.source) = (mountPoint, source)
            (vers, lookupcache, acdirmin, acdirmax) = (o.version ?? "", o.lookupcache.rawValue, o.acdirmin, o.acdirmax)
            (cto, lock, recovery) = (o.cto, o.lock, o.recovery.rawValue)
        }

        /// The options that must be the same on every node, for comparison.
        public var cacheKey: String {
            "vers=\(vers),lookupcache=\(lookupcache),acdirmin=\(acdirmin),acdirmax=\(acdirmax)" + (cto ? "" : ",nocto")
                + (lock ? "" : ",nolock")
        }
    }

    public struct Reachability: Codable, Sendable, Hashable {
        public var node: String
        public var address: String
        public var port: Int
        public var reachable: Bool
        public var seconds: Double?
        public var error: String?

        public init(node: String, address: String, port: Int, reachable: Bool, seconds: Double?, error: String?) {
            (self.node, self.address, self.port, self.reachable, self.seconds, self.error) = (
                node, address, port, reachable, seconds, error
            )
        }
    }

    /// A node's marker as another node first saw it; both times on the server's clock (each side
    /// corrected by its own measured offset), so skewed node clocks do not distort the delay.
    /// It is an upper bound: the reader looks only when its audit runs.
    public struct Sighting: Codable, Sendable, Hashable {
        public var node: String
        public var marker: String
        public var writtenAt: Date
        public var seenAt: Date
        public var delaySeconds: Double { seenAt.timeIntervalSince(writtenAt) }

        public init(node: String, marker: String, writtenAt: Date, seenAt: Date) {
            (self.node, self.marker, self.writtenAt, self.seenAt) = (node, marker, writtenAt, seenAt)
        }
    }

    public var node: String
    public var version: String
    public var time: Date
    public var share: String
    public var mount: MountSummary?
    public var scratchDirectoryOK: Bool?
    public var clockOffsetSeconds: Double?
    public var negativeLookupP95Seconds: Double?
    public var listingP95Seconds: Double?
    /// HMAC-SHA256 of each configuration file that exists, by file name (`ConfigFingerprints`):
    /// the contents never leave the node, and without the key they cannot be guessed.
    public var configHashes: [String: String]
    /// Names the fingerprints' key (absent: no key, no fingerprints).
    public var configKeyID: String?
    public var launcherAddress: String?
    public var launcherPort: Int?
    /// TCP connects from this node to every other node's launcher.
    public var reachability: [Reachability]
    /// Workbench's port on this node (`www-port`, default 8787; absent without Workbench), and this
    /// node's connects to the other nodes' (Workbench's load balancer forwards sessions between them).
    public var wwwPort: Int?
    public var wwwReachability: [Reachability]?
    /// The other nodes' markers, each as first seen by this node (absent in reports that predate it).
    public var sightings: [Sighting]?
    /// Workbench's lock settings on this node (`/etc/rstudio/file-locks`; absent without Workbench).
    public var fileLocks: LockSettings?
    /// Each Posit product installed here: version, service ids, keyed fingerprints of settings and
    /// of where its state lives (absent in reports that predate it).
    public var products: [ProductSummary]?
    /// Keyed fingerprints of this node's users' and groups' ids, by name (absent without a key, and in
    /// reports that predate it).
    public var accounts: AccountSummary?
    public var severity: Severity

    /// The lock settings other nodes must share: not secrets, and no file contents.
    public struct LockSettings: Codable, Sendable, Hashable {
        public var lockType: FileLocksSettings.LockType
        public var useSymlinks: Bool
        public var timeoutInterval: Double
        public var refreshRate: Double

        public init(_ s: FileLocksSettings) {
            (lockType, useSymlinks, timeoutInterval, refreshRate) = (s.lockType, s.useSymlinks, s.timeoutInterval,
                                                                     s.refreshRate)
        }

        /// What decides whether two nodes see each other's locks: the kind, and how links are made.
        public var kind: String { lockType.rawValue + (lockType == .linkbased && useSymlinks ? " (use-symlinks)" : "") }
    }

    public init(
        node: String, version: String, time: Date, share: String, mount: MountSummary?, scratchDirectoryOK: Bool?,
        clockOffsetSeconds: Double?, negativeLookupP95Seconds: Double?, listingP95Seconds: Double?,
        configHashes: [String: String], configKeyID: String? = nil, launcherAddress: String?, launcherPort: Int?,
        reachability: [Reachability], sightings: [Sighting] = [], severity: Severity
    ) {
        (self.node, self.version, self.time, self.share, self.mount) = (node, version, time, share, mount)
        (self.scratchDirectoryOK, self.clockOffsetSeconds) = (scratchDirectoryOK, clockOffsetSeconds)
        (self.negativeLookupP95Seconds, self.listingP95Seconds) = (negativeLookupP95Seconds, listingP95Seconds)
        (self.configHashes, self.configKeyID) = (configHashes, configKeyID)
        (self.launcherAddress, self.launcherPort) = (launcherAddress, launcherPort)
        (self.reachability, self.sightings, self.severity) = (reachability, sightings, severity)
    }

    /// Workbench's `www-port` from rserver.conf (default 8787); nil when there is no rserver.conf.
    public static func wwwPort(rstudioConfig: String) -> Int? {
        let path = rstudioConfig + "/rserver.conf"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }  // no Workbench
        return parseConfigEntries(text).last { $0.key == "www-port" }.flatMap { Int($0.value) } ?? 8787
    }

    /// The launcher's address and port from launcher.conf's [server] section (default port 5559);
    /// an unspecified address (0.0.0.0, empty) means this node's host name.
    public static func launcher(rstudioConfig: String) -> (address: String, port: Int) {
        var address = ProcessInfo.processInfo.hostName, port = 5559
        // No launcher.conf: the launcher's defaults.
        let text = (try? String(contentsOfFile: rstudioConfig + "/launcher.conf", encoding: .utf8)) ?? ""
        for entry in parseConfigEntries(text) where entry.section == "server" {
            if entry.key == "address", !entry.value.isEmpty, entry.value != "0.0.0.0", entry.value != "::" {
                address = entry.value
            }
            if entry.key == "port", let p = Int(entry.value) { port = p }
        }
        return (address, port)
    }
}

/// The `.nfskeeper/nodes` directory of a share, through this node's mount, symlink-safe.
public struct NodeDirectory: Sendable {
    public var share: String
    public var kernel: KernelView

    public init(share: String, kernel: KernelView) {
        self.share = share
        self.kernel = kernel
    }

    /// `<share>/.nfskeeper/<name>`, walked without following symlinks; made when `create`.
    public func subdirectory(_ name: String, create: Bool) -> KernelView.Outcome<DirectoryHandle> {
        let open: (DirectoryHandle, String) -> KernelView.Outcome<DirectoryHandle> = {
            create ? $0.openOrMakeDirectory($1) : $0.openDirectory($1)
        }
        return kernel.openDirectoryNoFollow(MountTable.normalize(share)).then { open($0, ".nfskeeper") }.then {
            open($0, name)
        }
    }

    /// The file a node's report (in `nodes/`) and marker (in `markers/`) live in: its name's file form.
    public static func fileName(for node: String) -> String { TemporaryName.safeNode(node) + ".json" }

    /// At most this many reports are read from a share (each at most `reportLimit` bytes).
    public static let maxReports = 500
    public static let reportLimit = 1 << 20

    /// Writes this node's report (temporary file + rename), readable by root only: it names this
    /// node's configuration fingerprints and addresses.
    public func write(_ report: NodeReport) -> KernelView.Outcome<Void> {
        // A report always encodes; EINVAL should it ever not.
        guard let data = try? Self.encoder.encode(report) else { return .failure(.invalidArgument) }
        let name = Self.fileName(for: report.node)
        return subdirectory("nodes", create: true).then { $0.writeFileAtomically(name, Array(data), mode: 0o600) }
    }

    /// Sightings compare times a second apart: dates in milliseconds.
    static var encoder: JSONEncoder { JSONCoding.encoder(dates: .milliseconds) }
    static var decoder: JSONDecoder { JSONCoding.decoder(dates: .milliseconds) }

    /// A report file's bytes, believed only when they are a node report whose `node` is a valid node
    /// name whose file form is the file's name: a report cannot speak for another node's file.
    public static func decodeReport(_ bytes: [UInt8], file: String) -> Result<NodeReport, ReportProblem> {
        // Another node's file is untrusted: undecodable is a problem named below, not an error.
        guard let report = try? decoder.decode(NodeReport.self, from: Data(bytes)) else {
            return .failure(ReportProblem(file: file, reason: "not a node report"))
        }
        // An invalid name is a problem named below.
        guard let name = try? NodeName(report.node) else {
            return .failure(ReportProblem(file: file, reason: "its node field is not a node name"))
        }
        guard Self.fileName(for: name.rawValue) == file else {
            return .failure(
                ReportProblem(
                    file: file,
                    reason: "it claims to be \(name)'s report, whose file is "
                        + "\(Self.fileName(for: name.rawValue)): ignored (a copied or forged report)"))
        }
        return .success(report)
    }

    /// Every node's report; the files not believed are named in `problems`.
    public func readAll() -> (reports: [NodeReport], problems: [ReportProblem]) {
        guard case .success(let dir) = subdirectory("nodes", create: false), case .success(let names) = dir.entryNames()
        else {
            return (
                [],
                [
                    ReportProblem(
                        file: "\(share)/.nfskeeper/nodes",
                        reason: "no node reports (no audit has run, or it is unreadable)")
                ]
            )
        }
        var reports: [NodeReport] = [], problems: [ReportProblem] = []
        let candidates = names.sorted().filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
        if candidates.count > Self.maxReports {
            problems.append(
                ReportProblem(
                    file: "\(share)/.nfskeeper/nodes",
                    reason: "\(candidates.count) report files: "
                        + "only the first \(Self.maxReports) by name are read"))
        }
        for name in candidates.prefix(Self.maxReports) {
            switch dir.readFile(name, limit: Self.reportLimit) {
            case .success(let bytes):
                switch Self.decodeReport(bytes, file: name) {
                case .success(let report): reports.append(report)
                case .failure(let problem): problems.append(problem)
                }
            case .failure(.invalidArgument):
                problems.append(
                    ReportProblem(file: name, reason: "not a regular file (a FIFO, device or directory): not opened"))
            case .failure(let e): problems.append(ReportProblem(file: name, reason: "unreadable: \(e.description)"))
            case .timedOut: problems.append(ReportProblem(file: name, reason: "reading it timed out"))
            }
        }
        return (reports, problems)
    }
}

/// A file in `.nfskeeper/nodes` that was not believed, and why.
public struct ReportProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var reason: String
    public var description: String { "\(file): \(reason)" }
}

/// `<share>/.nfskeeper/markers/<node>.json`: a node's latest marker, rewritten by every audit.
public struct Marker: Codable, Sendable {
    public var node: String
    public var id: String
    /// When it was written, on the server's clock.
    public var writtenAt: Date
}

extension NodeDirectory {
    /// Writes a fresh marker for `node` (the time corrected to the server's clock by `offset`).
    public func writeMarker(node: String, offset: Double) -> KernelView.Outcome<Marker> {
        let marker = Marker(
            node: node, id: String(UInt64.random(in: 0...UInt64.max), radix: 16),
            writtenAt: Date().addingTimeInterval(offset))
        // A marker always encodes; EINVAL should it ever not.
        guard let data = try? Self.encoder.encode(marker) else { return .failure(.invalidArgument) }
        let name = Self.fileName(for: node)
        return subdirectory("markers", create: true).then { $0.writeFileAtomically(name, Array(data), mode: 0o600) }
            .then { .success(marker) }
    }

    /// Every other node's current marker.
    public func readMarkers(except node: String) -> [Marker] {
        guard case .success(let dir) = subdirectory("markers", create: false),
            case .success(let names) = dir.entryNames()
        else { return [] }
        // Like reports, a marker counts only in its own node's file.
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.prefix(Self.maxReports).compactMap { name in
            guard case .success(let bytes) = dir.readFile(name, limit: 4096),
                // Untrusted: a marker that does not decode, or names another node, is skipped.
                let marker = try? Self.decoder.decode(Marker.self, from: Data(bytes)),
                // (and an invalid node name in it, skipped too)
                (try? NodeName(marker.node)) != nil, Self.fileName(for: marker.node) == name
            else { return nil }
            return marker
        }.filter { $0.node != node }
    }

    /// This node's sightings: kept for markers already seen, new ones seen now.
    public func sightings(for node: String, offset: Double, previous: [NodeReport.Sighting]) -> [NodeReport.Sighting] {
        let now = Date().addingTimeInterval(offset)
        return readMarkers(except: node).map { m in
            previous.first { $0.node == m.node && $0.marker == m.id }
                ?? NodeReport.Sighting(node: m.node, marker: m.id, writtenAt: m.writtenAt, seenAt: now)
        }
    }
}
