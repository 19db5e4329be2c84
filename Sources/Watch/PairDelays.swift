import Audit
import NFSModel

/// What one reader has seen of one writer's canaries: every delay in a histogram, the last one, and the
/// canaries never seen within the wait.
public struct PairDelays: Sendable, Codable, Hashable {
    public var writer: String
    public var reader: String
    public var seen = 0
    public var neverSeen = 0
    public var lastSeconds: Double?
    public var minSeconds: Double?
    public var maxSeconds: Double?
    /// The longest a canary seen was made after its slot began (its mtime, server clock), when the reader's
    /// window had begun a lead before: a delay can fall short of the window by this much (a stalled writer,
    /// a server restarting, a clock offset misjudged). Milliseconds on a steady cluster.
    public var maxLateSeconds: Double?
    public var sumSeconds = 0.0
    /// Cumulative counts per upper bound of `PairDelays.buckets`.
    public var bucketCounts = [UInt64](repeating: 0, count: PairDelays.buckets.count)

    /// Seconds: below a poll, a few polls, the attribute-cache windows nfs(5) sets (3, 30, 60 s) and past them.
    public static let buckets: [Double] = [0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90]

    public init(writer: String, reader: String) { (self.writer, self.reader) = (writer, reader) }

    /// `late`: how long after its slot began the canary was made.
    public mutating func record(_ delay: Double, late: Double = 0) {
        maxLateSeconds = max(maxLateSeconds ?? late, late)
        let d = max(0, delay)
        seen += 1
        (lastSeconds, sumSeconds) = (d, sumSeconds + d)
        (minSeconds, maxSeconds) = (min(minSeconds ?? d, d), max(maxSeconds ?? d, d))
        for (i, bound) in Self.buckets.enumerated() where d <= bound { bucketCounts[i] += 1 }
    }

    /// The pair's samples for node_exporter's textfile collector.
    func metrics(into text: inout PrometheusText) {
        let labels = [("writer", writer), ("reader", reader)]
        text.addHistogram(
            "nfskeeper_visibility_pair_seconds",
            help: "Seconds from a canary made on the writer's mount (its mtime, server clock) until the reader "
                + "found it by name through its own mount",
            labels: labels, buckets: Array(zip(Self.buckets, bucketCounts)).map { (le: $0.0, count: $0.1) },
            sum: sumSeconds, count: UInt64(seen))
        if let lastSeconds {
            text.add("nfskeeper_visibility_pair_last_seconds", help: "The last canary's delay",
                     labels: labels, value: lastSeconds)
        }
        text.add("nfskeeper_visibility_pair_never_seen_total", help: "Canaries not found within the watch's wait",
                 type: "counter", labels: labels, value: Double(neverSeen))
    }
}
