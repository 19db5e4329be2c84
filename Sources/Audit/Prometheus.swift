import FoundationGaps
import Glibc
import FoundationEssentials
import Reports

/// The node_exporter textfile collector's format (Prometheus text exposition 0.0.4): HELP and TYPE
/// once per metric, then its samples; label values escaped; written to a temporary file in the
/// same directory and renamed, so the collector never reads half a file.
public struct PrometheusText {
    struct Metric { var help: String; var type: String; var samples: [String] }
    private var metrics: [(String, Metric)] = []
    /// Labels every sample carries (the audit's `mode`: a quick and a full audit write separate files
    /// that node_exporter merges, and two files must never hold the same series).
    let constantLabels: [(String, String)]

    public init(constantLabels: [(String, String)] = []) { self.constantLabels = constantLabels }

    public mutating func add(_ name: String, help: String, type: String = "gauge", labels: [(String, String)] = [],
                             value: Double) {
        append(name, help: help, type: type, [sample(name, labels, value)])
    }

    /// A histogram: cumulative `_bucket` samples (`le` upper bounds, then +Inf), `_sum` and `_count`, under
    /// one HELP and TYPE.
    public mutating func addHistogram(_ name: String, help: String, labels: [(String, String)],
                                      buckets: [(le: Double, count: UInt64)], sum: Double, count: UInt64) {
        var samples = buckets.map { sample(name + "_bucket", labels + [("le", Self.format($0.le))], Double($0.count)) }
        samples += [sample(name + "_bucket", labels + [("le", "+Inf")], Double(count)),
                    sample(name + "_sum", labels, sum), sample(name + "_count", labels, Double(count))]
        append(name, help: help, type: "histogram", samples)
    }

    /// One sample line: the constant labels, then `labels`, values escaped.
    func sample(_ name: String, _ labels: [(String, String)], _ value: Double) -> String {
        let all = constantLabels + labels
        let pairs = all.map { "\($0.0)=\"\(Self.escape($0.1))\"" }
        let labelText = all.isEmpty ? "" : "{" + pairs.joined(separator: ",") + "}"
        return name + labelText + " " + Self.format(value)
    }

    /// Samples under `name`'s HELP and TYPE, the metric made on its first samples.
    mutating func append(_ name: String, help: String, type: String, _ samples: [String]) {
        if let i = metrics.firstIndex(where: { $0.0 == name }) {
            metrics[i].1.samples += samples
        } else {
            metrics.append((name, Metric(help: help, type: type, samples: samples)))
        }
    }

    public var text: String {
        metrics.map { name, m in
            (["# HELP \(name) \(m.help)", "# TYPE \(name) \(m.type)"] + m.samples).joined(separator: "\n")
        }.joined(separator: "\n") + "\n"
    }

    static func escape(_ value: String) -> String {
        value.replacingEvery("\\", with: "\\\\").replacingEvery("\"", with: "\\\"")
            .replacingEvery("\n", with: "\\n")
    }

    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }
}

/// Writes `contents` to `path` through a temporary file in the same directory and a rename
/// (`LocalFile.writeAtomically`): readable by node_exporter, mode 0644.
public func writeAtomically(_ contents: String, to path: String, mode: mode_t = 0o644) throws(LocalFile.WriteError) {
    try LocalFile.writeAtomically(Array(contents.utf8), to: path, mode: mode)
}
