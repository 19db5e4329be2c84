import Advice
import Foundation
import Probe
import TOMLKit

/// `/etc/nfskeeper/config.toml`: what the scheduled audit looks at and where it writes.
/// Command-line flags override it. A bad file is an error naming the line.
public struct AuditConfig: Sendable {
    public struct Share: Sendable {
        public var path: String
        public var role = Role.generic
        public var owner = "rstudio-server"
        public var group: String?
        public var cluster = "Local"
        public var mode: UInt32 = 0o755
        public var server: String?
        public var allowNonNFS = false
        /// Verify (and with --fix, create or repair) `<path>/<cluster>`.
        public var provision = false

        public init(path: String) { self.path = path }
    }

    public var nodeName: String?
    public var timeout = 10.0
    public var targetDelay = 5
    public var shares: [Share] = []
    public var probeSamples = 4
    public var probeScenarios: [Scenario] = [.negativeLookup, .listing]
    public var probeMaxWait: Double?
    public var jsonPath: String?
    public var prometheusPath: String?
    public var historyPath: String? = "/var/lib/nfskeeper/history.jsonl"
    public var rstudioConfig = "/etc/rstudio"

    public init() {}

    public struct Invalid: Error, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var reason: String
        public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(reason)" }
    }

    public init(parsing text: String, file: String) throws(Invalid) {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw Invalid(file: file, line: error.source.begin.line, reason: error.description)
        } catch {
            throw Invalid(file: file, line: nil, reason: "\(error)")
        }
        let lines = text.components(separatedBy: "\n")
        /// The line where `key =` first stands at or after `from` (TOMLKit keeps no positions for values).
        func line(of key: String, from: Int = 0) -> Int? {
            lines.indices.dropFirst(from).first { lines[$0].trimmingCharacters(in: .whitespaces).hasPrefix(key) }.map { $0 + 1 }
        }
        func invalid(_ key: String, _ reason: String, from: Int = 0) -> Invalid {
            Invalid(file: file, line: line(of: key, from: from), reason: reason)
        }
        func check(_ t: TOMLTable, allowed: Set<String>, from: Int = 0) throws(Invalid) {
            for key in t.keys where !allowed.contains(key) {
                throw invalid(key, "unknown setting '\(key)' (known: \(allowed.sorted().joined(separator: ", ")))", from: from)
            }
        }
        try check(table, allowed: ["node_name", "timeout", "target_delay", "rstudio_config", "share", "probe", "output"])
        nodeName = table["node_name"]?.string
        if let v = table["timeout"] { guard let d = v.double ?? v.int.map(Double.init), d > 0 else { throw invalid("timeout", "timeout must be a positive number of seconds") }; timeout = d }
        if let v = table["target_delay"] { guard let i = v.int, i >= 0 else { throw invalid("target_delay", "target_delay must be a whole number of seconds") }; targetDelay = i }
        if let v = table["rstudio_config"] { guard let s = v.string else { throw invalid("rstudio_config", "rstudio_config must be a path") }; rstudioConfig = s }

        var sectionStart = 0
        for (i, value) in (table["share"]?.array.map(Array.init) ?? []).enumerated() {
            sectionStart = lines.indices.dropFirst(sectionStart).first { lines[$0].contains("[[share]]") } ?? sectionStart
            defer { sectionStart += 1 }
            guard let t = value.table else { throw invalid("share", "share #\(i + 1) must be a table ([[share]])") }
            try check(t, allowed: ["path", "role", "owner", "group", "cluster", "mode", "server", "allow_non_nfs", "provision"], from: sectionStart)
            guard let path = t["path"]?.string, path.hasPrefix("/") else { throw invalid("[[share]]", "share #\(i + 1) needs an absolute path =", from: sectionStart) }
            var share = Share(path: path)
            if let r = t["role"] {
                guard let role = r.string.flatMap(Role.init(rawValue:)) else {
                    throw invalid("role", "role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))", from: sectionStart)
                }
                share.role = role
            }
            if let s = t["owner"]?.string { share.owner = s }
            share.group = t["group"]?.string
            if let s = t["cluster"]?.string { share.cluster = s }
            if let m = t["mode"] {
                guard let mode = m.string.flatMap({ UInt32($0, radix: 8) }) else { throw invalid("mode", "mode must be an octal string like \"0755\"", from: sectionStart) }
                share.mode = mode
            }
            share.server = t["server"]?.string
            share.allowNonNFS = t["allow_non_nfs"]?.bool ?? false
            share.provision = t["provision"]?.bool ?? false
            shares.append(share)
        }
        if let p = table["probe"]?.table {
            try check(p, allowed: ["samples", "scenarios", "max_wait"])
            if let n = p["samples"] { guard let i = n.int, (1...100).contains(i) else { throw invalid("samples", "samples must be 1 to 100") }; probeSamples = i }
            if let list = p["scenarios"]?.array {
                probeScenarios = try list.map { (v) throws(Invalid) -> Scenario in
                    guard let s = v.string.flatMap(Scenario.init(rawValue:)) else {
                        throw invalid("scenarios", "scenarios take: \(Scenario.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    return s
                }
            }
            if let w = p["max_wait"] { probeMaxWait = w.double ?? w.int.map(Double.init) }
        }
        if let o = table["output"]?.table {
            try check(o, allowed: ["json", "prometheus", "history"])
            jsonPath = o["json"]?.string
            prometheusPath = o["prometheus"]?.string
            if let h = o["history"] { historyPath = h.string.flatMap { $0.isEmpty ? nil : $0 } }
        }
    }

    /// Reads the file; a missing default file is an empty configuration, any other unreadable one an error.
    public static func load(_ path: String, required: Bool) throws(Invalid) -> AuditConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            if required { throw Invalid(file: path, line: nil, reason: "cannot read the file") }
            return AuditConfig()
        }
        return try AuditConfig(parsing: String(decoding: data, as: UTF8.self), file: path)
    }
}
