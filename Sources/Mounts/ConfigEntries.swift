import FoundationGaps
import FoundationEssentials

/// One `key=value` line of a simple configuration file (Workbench's launcher.conf, rserver.conf…),
/// with the `[section]` it stands in (without brackets) and its line number.
public struct ConfigEntry: Hashable, Sendable {
    public var section: String
    public var key: String
    public var value: String
    public var line: Int
}

/// The `key=value` entries of `text`; `#` comments, blank lines and lines without `=` are skipped.
public func parseConfigEntries(_ text: String) -> [ConfigEntry] {
    var section = ""
    var out: [ConfigEntry] = []
    for (i, raw) in splitLines(text).enumerated() {
        let line = raw.trimmed()
        if line.isEmpty || line.hasPrefix("#") { continue }
        if line.hasPrefix("[") && line.hasSuffix("]") { section = String(line.dropFirst().dropLast()); continue }
        guard let eq = line.firstIndex(of: "=") else { continue }
        out.append(ConfigEntry(section: section, key: line[..<eq].trimmed(),
                               value: line[line.index(after: eq)...].trimmed(), line: i + 1))
    }
    return out
}
