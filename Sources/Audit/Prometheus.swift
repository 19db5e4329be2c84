import Foundation
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
        let all = constantLabels + labels
        let pairs = all.map { "\($0.0)=\"\(Self.escape($0.1))\"" }
        let labelText = all.isEmpty ? "" : "{" + pairs.joined(separator: ",") + "}"
        let sample = name + labelText + " " + Self.format(value)
        if let i = metrics.firstIndex(where: { $0.0 == name }) {
            metrics[i].1.samples.append(sample)
        } else {
            metrics.append((name, Metric(help: help, type: type, samples: [sample])))
        }
    }

    /// A histogram: cumulative `_bucket` samples (`le` upper bounds, then +Inf), `_sum` and `_count`, under
    /// one HELP and TYPE.
    public mutating func addHistogram(_ name: String, help: String, labels: [(String, String)],
                                      buckets: [(le: Double, count: UInt64)], sum: Double, count: UInt64) {
        func sample(_ suffix: String, _ extra: [(String, String)], _ value: Double) -> String {
            let all = constantLabels + labels + extra
            let pairs = all.map { "\($0.0)=\"\(Self.escape($0.1))\"" }
            let text = all.isEmpty ? "" : "{" + pairs.joined(separator: ",") + "}"
            return name + suffix + text + " " + Self.format(value)
        }
        var samples = buckets.map { sample("_bucket", [("le", Self.format($0.le))], Double($0.count)) }
        samples += [sample("_bucket", [("le", "+Inf")], Double(count)), sample("_sum", [], sum),
                    sample("_count", [], Double(count))]
        if let i = metrics.firstIndex(where: { $0.0 == name }) {
            metrics[i].1.samples += samples
        } else {
            metrics.append((name, Metric(help: help, type: "histogram", samples: samples)))
        }
    }

    public var text: String {
        metrics.map { name, m in
            (["# HELP \(name) \(m.help)", "# TYPE \(name) \(m.type)"] + m.samples).joined(separator: "\n")
        }.joined(separator: "\n") + "\n"
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
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
