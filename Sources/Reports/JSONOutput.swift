import Foundation

/// The one JSON style of every `--json`: sorted keys, pretty-printed, ISO 8601 dates, times in
/// seconds as numbers.
public func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// Seconds for people: "850 µs", "12.3 ms", "2.41 s".
public func formatSeconds(_ seconds: Double) -> String {
    let magnitude = abs(seconds)
    if magnitude < 0.001 { return String(format: "%.0f µs", seconds * 1e6) }
    if magnitude < 1 { return String(format: "%.1f ms", seconds * 1e3) }
    return String(format: "%.2f s", seconds)
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
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}
