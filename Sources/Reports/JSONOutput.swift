import Glibc
import FoundationGaps
import FoundationEssentials

/// The JSON coders of everything nfskeeper writes and reads back: sorted keys, slashes unescaped,
/// non-finite numbers as strings; dates ISO 8601, or milliseconds where sightings compare times a
/// second apart (node reports and markers in the share).
public enum JSONCoding {
    public enum Dates: Sendable { case iso8601, milliseconds }

    public static func encoder(pretty: Bool = true, dates: Dates = .iso8601) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = dates == .iso8601 ? .iso8601 : .millisecondsSince1970
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    public static func decoder(dates: Dates = .iso8601) -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = dates == .iso8601 ? .iso8601 : .millisecondsSince1970
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}

/// The one JSON style of every `--json`: pretty-printed `JSONCoding`, times in seconds as numbers.
public func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try JSONCoding.encoder().encode(value), as: UTF8.self)
}

/// Seconds for people: "850 µs", "12.3 ms", "2.41 s".
public func formatSeconds(_ seconds: Double) -> String {
    let shown = SecondsDisplay(seconds)
    return String(printf: "%.*f", Int32(shown.decimals), seconds * shown.scale) + " " + shown.unit
}

/// `seconds` rounded as `formatSeconds` prints it: for comparisons a reader can check on the page.
public func secondsAsShown(_ seconds: Double) -> Double {
    let shown = SecondsDisplay(seconds)
    let steps = shown.scale * pow(10, Double(shown.decimals))  // per second: 1e6, 1e4 or 100
    return (seconds * steps).rounded() / steps
}

/// The unit and precision a figure in seconds is shown with.
private struct SecondsDisplay {
    var unit: String, scale: Double, decimals: Int

    init(_ seconds: Double) {
        let magnitude = abs(seconds)
        if magnitude < 0.001 {
            (unit, scale, decimals) = ("µs", 1e6, 0)
        } else if magnitude < 1 {
            (unit, scale, decimals) = ("ms", 1e3, 1)
        } else {
            (unit, scale, decimals) = ("s", 1, 2)
        }
    }
}

/// Bytes for people, in binary units as `df -h` prints them.
public func formatBytes(_ bytes: UInt64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(printf: "%.1f", value) + " " + units[unit]
}

/// What every command's `--json` document is: an object with `command`, `version`, `severity` (the
/// exit code's), `findings` (every finding of the run, flattened, each with its subject; `ok` ones
/// only when verbose), then the command's own data. JSON Schemas: `schemas/<command>.schema.json`.
public struct JSONEnvelope<Body: Encodable>: Encodable {
    public var command: String
    public var severity: Severity
    public var findings: [Finding]
    public var body: Body

    public init(command: String, severity: Severity, findings: [Finding], verbose: Bool = false, body: Body) {
        (self.command, self.severity, self.body) = (command, severity, body)
        self.findings = verbose ? findings : findings.filter { $0.severity != .ok }
    }

    enum Key: String, CodingKey { case command, version, severity, findings }

    /// The body's keys first, then the envelope's into the same object (overriding a body's own
    /// `severity` and `findings`: the envelope's are the whole run's).
    public func encode(to encoder: any Encoder) throws {
        try body.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(command, forKey: .command)
        try c.encode(nfskeeperVersion, forKey: .version)
        try c.encode(severity, forKey: .severity)
        try c.encode(findings, forKey: .findings)
    }
}

/// A command's `--json` document (`JSONEnvelope`), in the one JSON style.
public func encodeEnvelope<Body: Encodable>(
    _ command: String, _ body: Body, severity: Severity,
    findings: [Finding], verbose: Bool = false
) throws -> String {
    try encodeJSON(
        JSONEnvelope(
            command: command, severity: severity, findings: findings, verbose: verbose,
            body: body))
}

/// Nearest-rank percentile of `values` (sorted here), NaN for none: the one quantile rule of every
/// figure nfskeeper prints outside the probe's histograms.
public func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((p * Double(sorted.count)).rounded(.up))
    return sorted[min(sorted.count - 1, max(0, rank - 1))]
}
