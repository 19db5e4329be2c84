import Foundation

/// The node_exporter textfile collector's format (Prometheus text exposition 0.0.4): HELP and TYPE
/// once per metric, then its samples; label values escaped; written to a temporary file in the
/// same directory and renamed, so the collector never reads half a file.
public struct PrometheusText {
    struct Metric { var help: String; var type: String; var samples: [String] }
    private var metrics: [(String, Metric)] = []

    public init() {}

    public mutating func add(_ name: String, help: String, type: String = "gauge", labels: [(String, String)] = [], value: Double) {
        let labelText = labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        let sample = name + labelText + " " + Self.format(value)
        if let i = metrics.firstIndex(where: { $0.0 == name }) {
            metrics[i].1.samples.append(sample)
        } else {
            metrics.append((name, Metric(help: help, type: type, samples: [sample])))
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

/// Writes `contents` to `path` through a temporary file in the same directory and a rename.
public func writeAtomically(_ contents: String, to path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
    let temporary = path + ".tmp-\(getpid())"
    guard FileManager.default.createFile(atPath: temporary, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o644]) else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
    }
    guard rename(temporary, path) == 0 else {
        try? FileManager.default.removeItem(atPath: temporary)
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
    }
}
