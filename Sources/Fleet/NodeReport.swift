import Foundation
import KernelView
import Mounts
import Reports
import ServerView

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
        public var cacheKey: String { "vers=\(vers),lookupcache=\(lookupcache),acdirmin=\(acdirmin),acdirmax=\(acdirmax)" + (cto ? "" : ",nocto") + (lock ? "" : ",nolock") }
    }

    public struct Reachability: Codable, Sendable, Hashable {
        public var node: String
        public var address: String
        public var port: Int
        public var reachable: Bool
        public var seconds: Double?
        public var error: String?

        public init(node: String, address: String, port: Int, reachable: Bool, seconds: Double?, error: String?) {
            (self.node, self.address, self.port, self.reachable, self.seconds, self.error) = (node, address, port, reachable, seconds, error)
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
    /// SHA-256 of each configuration file that exists, by path; the contents never leave the node.
    public var configHashes: [String: String]
    public var launcherAddress: String?
    public var launcherPort: Int?
    /// TCP connects from this node to every other node's launcher.
    public var reachability: [Reachability]
    /// The other nodes' markers, each as first seen by this node (absent in reports that predate it).
    public var sightings: [Sighting]?
    public var severity: Severity

    public init(node: String, version: String, time: Date, share: String, mount: MountSummary?, scratchDirectoryOK: Bool?,
                clockOffsetSeconds: Double?, negativeLookupP95Seconds: Double?, listingP95Seconds: Double?,
                configHashes: [String: String], launcherAddress: String?, launcherPort: Int?,
                reachability: [Reachability], sightings: [Sighting] = [], severity: Severity) {
        (self.node, self.version, self.time, self.share, self.mount) = (node, version, time, share, mount)
        (self.scratchDirectoryOK, self.clockOffsetSeconds) = (scratchDirectoryOK, clockOffsetSeconds)
        (self.negativeLookupP95Seconds, self.listingP95Seconds) = (negativeLookupP95Seconds, listingP95Seconds)
        (self.configHashes, self.launcherAddress, self.launcherPort) = (configHashes, launcherAddress, launcherPort)
        (self.reachability, self.sightings, self.severity) = (reachability, sightings, severity)
    }

    public static let configFiles = ["launcher.conf", "launcher.local.conf", "database.conf", "rserver.conf"]

    /// SHA-256 of Workbench's and Package Manager's shared configuration files found on this node.
    public static func hashes(rstudioConfig: String, root: String) -> [String: String] {
        var out: [String: String] = [:]
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        for path in configFiles.map({ rstudioConfig + "/" + $0 }) + [base + "/etc/rstudio-pm/rstudio-pm.gcfg"] {
            if let data = FileManager.default.contents(atPath: path) {
                out[(path as NSString).lastPathComponent] = SHA256Digest.hex(Array(data))
            }
        }
        return out
    }

    /// The launcher's address and port from launcher.conf's [server] section (default port 5559);
    /// an unspecified address (0.0.0.0, empty) means this node's host name.
    public static func launcher(rstudioConfig: String) -> (address: String, port: Int) {
        var address = ProcessInfo.processInfo.hostName, port = 5559
        let text = (try? String(contentsOfFile: rstudioConfig + "/launcher.conf", encoding: .utf8)) ?? ""
        for entry in parseConfigEntries(text) where entry.section == "server" {
            if entry.key == "address", !entry.value.isEmpty, entry.value != "0.0.0.0", entry.value != "::" { address = entry.value }
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
    func subdirectory(_ name: String, create: Bool) -> KernelView.Outcome<DirectoryHandle> {
        let open: (DirectoryHandle, String) -> KernelView.Outcome<DirectoryHandle> = { create ? $0.openOrMakeDirectory($1) : $0.openDirectory($1) }
        return kernel.openDirectoryNoFollow(MountTable.normalize(share)).then { open($0, ".nfskeeper") }.then { open($0, name) }
    }

    /// Writes this node's report (temporary file + rename).
    public func write(_ report: NodeReport) -> KernelView.Outcome<Void> {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .millisecondsSince1970  // sightings compare times a second apart
        guard let data = try? encoder.encode(report) else { return .failure(.invalidArgument) }
        let name = TemporaryName.safeNode(report.node) + ".json"
        return subdirectory("nodes", create: true).then { $0.writeFileAtomically(name, Array(data)) }
    }

    /// Every node's report; unreadable ones are named in `problems`.
    public func readAll() -> (reports: [NodeReport], problems: [String]) {
        guard case .success(let dir) = subdirectory("nodes", create: false), case .success(let names) = dir.entryNames() else {
            return ([], ["no node reports in \(share)/.nfskeeper/nodes (no audit has run, or it is unreadable)"])
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        var reports: [NodeReport] = [], problems: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            guard case .success(let bytes) = dir.readFile(name), let report = try? decoder.decode(NodeReport.self, from: Data(bytes)) else {
                problems.append("\(name): not a node report")
                continue
            }
            reports.append(report)
        }
        return (reports, problems)
    }
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
        let marker = Marker(node: node, id: String(UInt64.random(in: 0...UInt64.max), radix: 16),
                            writtenAt: Date().addingTimeInterval(offset))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        guard let data = try? encoder.encode(marker) else { return .failure(.invalidArgument) }
        return subdirectory("markers", create: true).then { $0.writeFileAtomically(TemporaryName.safeNode(node) + ".json", Array(data)) }.then { .success(marker) }
    }

    /// Every other node's current marker.
    public func readMarkers(except node: String) -> [Marker] {
        guard case .success(let dir) = subdirectory("markers", create: false), case .success(let names) = dir.entryNames() else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.compactMap { name in
            guard case .success(let bytes) = dir.readFile(name) else { return nil }
            return try? decoder.decode(Marker.self, from: Data(bytes))
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
