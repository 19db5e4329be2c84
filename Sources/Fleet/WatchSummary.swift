import SystemPackage
import FoundationEssentials
import KernelView
import NFSModel

/// `<share>/.nfskeeper/watch-summaries/<node>.json`: what a node's `nfskeeper watch` last saw of every
/// writer, rewritten each period, for `fleet` (a directory apart from `watch/`, whose listing the
/// watchers keep quiet).
public struct WatchSummary: Codable, Sendable {
    public struct Pair: Codable, Sendable, Hashable {
        public var writer: String
        public var lastSeconds: Double?
        public var maxSeconds: Double?
        public var seen: Int
        public var neverSeen: Int
        public init(writer: String, lastSeconds: Double?, maxSeconds: Double?, seen: Int, neverSeen: Int) {
            (self.writer, self.lastSeconds, self.maxSeconds) = (writer, lastSeconds, maxSeconds)
            (self.seen, self.neverSeen) = (seen, neverSeen)
        }
    }

    /// The node that watched (the reader of every pair).
    public var reader: String
    /// When it was written, on the server's clock.
    public var time: Date
    public var periodSeconds: Double
    public var pairs: [Pair]

    public init(reader: String, time: Date, periodSeconds: Double, pairs: [Pair]) {
        (self.reader, self.time, self.periodSeconds, self.pairs) = (reader, time, periodSeconds, pairs)
    }

    static let directory = "watch-summaries"
    static let limit = 256 << 10
}

extension WatchSummary {
    /// Written into `watch-summaries` (`NodeDirectory.openWatchSummaries`): temporary file + rename, 0600.
    public func write(into directory: DirectoryHandle) -> KernelView.Outcome<Void> {
        guard let data = try? NodeDirectory.encoder.encode(self) else { return .failure(.invalidArgument) }
        return directory.writeFileAtomically(NodeDirectory.fileName(for: reader), Array(data), mode: 0o600)
    }

    /// Removes `node`'s summary (its watch stopped).
    public static func remove(of node: String, from directory: DirectoryHandle) {
        _ = directory.removeFile(NodeDirectory.fileName(for: node))
    }
}

extension NodeDirectory {
    /// `<share>/.nfskeeper/watch-summaries`, made if missing; a watcher keeps it open.
    public func openWatchSummaries() -> KernelView.Outcome<DirectoryHandle> {
        subdirectory(WatchSummary.directory, create: true)
    }

    /// Every node's watch summary, believed as reports are: in its own node's file only, names valid,
    /// delays finite and not negative; each pair's writer a node name other than the reader.
    public func readWatchSummaries() -> [WatchSummary] {
        guard case .success(let dir) = subdirectory(WatchSummary.directory, create: false),
            case .success(let names) = dir.entryNames()
        else { return [] }
        return names.sorted().filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.prefix(Self.maxReports)
            .compactMap { name in
                guard case .success(let bytes) = dir.readFile(name, limit: WatchSummary.limit),
                    var summary = try? Self.decoder.decode(WatchSummary.self, from: Data(bytes)),
                    (try? NodeName(summary.reader)) != nil, Self.fileName(for: summary.reader) == name
                else { return nil }
                func believable(_ v: Double?) -> Bool { v.map { $0.isFinite && $0 >= 0 && $0 < 1e6 } ?? true }
                summary.pairs = summary.pairs.prefix(Self.maxReports).filter {
                    (try? NodeName($0.writer)) != nil && $0.writer != summary.reader
                        && believable($0.lastSeconds) && believable($0.maxSeconds) && $0.seen >= 0 && $0.neverSeen >= 0
                }
                return summary
            }
    }
}
