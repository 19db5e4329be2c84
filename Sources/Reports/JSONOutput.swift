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
    let shown = SecondsDisplay(seconds)
    return String(format: "%.\(shown.decimals)f \(shown.unit)", seconds * shown.scale)
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
        if magnitude < 0.001 { (unit, scale, decimals) = ("µs", 1e6, 0) }
        else if magnitude < 1 { (unit, scale, decimals) = ("ms", 1e3, 1) }
        else { (unit, scale, decimals) = ("s", 1, 2) }
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
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}
