import Advice
import FoundationEssentials
import ServerView
import Probe
import YAMLCompose

/// `/etc/nfskeeper/config.yaml`: what the scheduled audit looks at and where it writes.
/// Command-line flags override it. A bad file is an error naming the line (libyaml's marks).
///
/// YAML rather than TOML: fuzzing found that TOMLKit's parser (toml++) aborts the process on some
/// malformed headers, and a broken config file must be an error, never a crash.
public struct AuditConfig: Sendable {
    public struct Share: Sendable {
        public var path: String
        public var role = Role.generic
        public var owner = "rstudio-server"
        public var group: String?
        public var cluster = "Local"
        public var mode: UInt32 = 0o755
        /// The server view's URL when it cannot be derived from the mount (FUSE or bind mounts).
        public var server: ServerURL?
        public var allowNonNFS = false
        /// Verify (and with --fix, create or repair) `<path>/<cluster>`.
        public var provision = false
        /// Measure locks across nodes (`nfskeeper locks`) in the full audit.
        public var locks = true

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
    /// The key for configuration fingerprints when Workbench's secure-cookie-key is absent: a root-only
    /// file with the same contents on every node.
    public var fingerprintKeyFile: String?

    public init() {}

    public struct Invalid: Error, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var reason: String
        public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(reason)" }
    }

    public init(parsing text: String, file: String) throws(Invalid) {
        if let line = YAMLNesting.lineBeyondLimit(text) {
            throw Invalid(file: file, line: line,
                          reason: "nested or indented more than \(YAMLNesting.limit) levels deep")
        }
        let root: YAMLNode?
        do { root = try composeYAML(text) } catch {
            throw Invalid(file: file, line: error.line, reason: error.description)
        }
        guard let root else { return }  // an empty file: defaults
        let read = ConfigReader(file: file)
        guard let top = root.mapping else {
            throw read.invalid(root, "the file must be a mapping of settings (key: value)")
        }
        let settings = try read.entries(top, allowed: ["node_name", "timeout", "target_delay", "rstudio_config",
                                                       "fingerprint_key_file", "shares", "probe", "output"])
        if let n = settings["node_name"] {
            let name = try read.string(n, "node_name")
            do { nodeName = try NodeName(name).rawValue } catch { throw read.invalid(n, "node_name: \(error)") }
        }
        if let n = settings["timeout"] { timeout = try read.number(n, "timeout", 0.1...3600) }
        if let n = settings["target_delay"] { targetDelay = Int(try read.number(n, "target_delay", 0...3600)) }
        if let n = settings["rstudio_config"] { rstudioConfig = try read.string(n, "rstudio_config") }
        if let n = settings["fingerprint_key_file"] { fingerprintKeyFile = try read.string(n, "fingerprint_key_file") }
        if let n = settings["shares"] {
            guard let list = n.sequence else { throw read.invalid(n, "shares must be a list (- path: …)") }
            for item in list { shares.append(try read.share(item)) }
        }
        if let n = settings["probe"] { try readProbe(n, read) }
        if let n = settings["output"] { try readOutput(n, read) }
    }

    mutating func readProbe(_ n: YAMLNode, _ read: ConfigReader) throws(Invalid) {
        guard let m = n.mapping else { throw read.invalid(n, "probe must be a mapping") }
        let e = try read.entries(m, allowed: ["samples", "scenarios", "max_wait"])
        if let v = e["samples"] { probeSamples = Int(try read.number(v, "samples", 1...100)) }
        if let v = e["scenarios"] {
            guard let list = v.sequence else { throw read.invalid(v, "scenarios must be a list") }
            probeScenarios = try list.map { (s) throws(Invalid) -> Scenario in
                guard let scenario = s.scalar.flatMap(Scenario.init(rawValue:)) else {
                    let known = Scenario.allCases.map(\.rawValue).joined(separator: ", ")
                    throw read.invalid(s, "scenarios take: \(known)")
                }
                return scenario
            }
        }
        if let v = e["max_wait"] { probeMaxWait = try read.number(v, "max_wait", 0.1...3600) }
    }

    mutating func readOutput(_ n: YAMLNode, _ read: ConfigReader) throws(Invalid) {
        guard let m = n.mapping else { throw read.invalid(n, "output must be a mapping") }
        let e = try read.entries(m, allowed: ["json_file", "json", "prometheus", "history"])
        if let v = e["json_file"] ?? e["json"] { jsonPath = try read.string(v, "json_file") }  // json: earlier name
        if let v = e["prometheus"] { prometheusPath = try read.string(v, "prometheus") }
        if let v = e["history"] {
            let text = try read.string(v, "history")
            historyPath = text.isEmpty || text == "none" ? nil : text
        }
    }

    /// Reads the file; a missing default file is an empty configuration, any other unreadable one an error.
    public static let maxFileBytes = 1 << 20

    public static func load(_ path: String, required: Bool) throws(Invalid) -> AuditConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            if required { throw Invalid(file: path, line: nil, reason: "cannot read the file") }
            return AuditConfig()
        }
        guard data.count <= maxFileBytes else {
            throw Invalid(
                file: path, line: nil,
                reason: "\(data.count) bytes: a configuration is at most \(maxFileBytes)")
        }
        return try AuditConfig(parsing: String(decoding: data, as: UTF8.self), file: path)
    }
}

/// Reads the YAML nodes of one configuration file: typed values, or an error naming the line.
struct ConfigReader {
    typealias Invalid = AuditConfig.Invalid
    var file: String

    func invalid(_ node: YAMLNode?, _ reason: String) -> Invalid {
        Invalid(file: file, line: node?.line, reason: reason)
    }

    /// The mapping's entries, refusing keys not in `allowed` (a typo must not pass silently).
    func entries(_ m: [(key: YAMLNode, value: YAMLNode)], allowed: [String]) throws(Invalid) -> [String: YAMLNode] {
        var out: [String: YAMLNode] = [:]
        for (key, value) in m {
            guard let name = key.scalar, allowed.contains(name) else {
                throw invalid(key, "unknown setting '\(key.scalar ?? "?")' (known: \(allowed.joined(separator: ", ")))")
            }
            out[name] = value
        }
        return out
    }

    func string(_ n: YAMLNode, _ what: String) throws(Invalid) -> String {
        guard let s = n.scalar else { throw invalid(n, "\(what) must be a single value") }
        return s
    }

    func number(_ n: YAMLNode, _ what: String, _ range: ClosedRange<Double>) throws(Invalid) -> Double {
        guard let d = n.number, range.contains(d) else {
            throw invalid(n, "\(what) must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return d
    }

    func flag(_ n: YAMLNode, _ what: String) throws(Invalid) -> Bool {
        guard let b = n.bool else { throw invalid(n, "\(what) must be true or false") }
        return b
    }

    /// One `shares:` item.
    func share(_ item: YAMLNode) throws(Invalid) -> AuditConfig.Share {
        guard let m = item.mapping else { throw invalid(item, "each share must be a mapping with a path") }
        let e = try entries(m, allowed: ["path", "role", "owner", "group", "cluster", "mode", "server",
                                         "allow_non_nfs", "provision", "locks"])
        guard let p = e["path"], let path = p.scalar, path.hasPrefix("/") else {
            throw invalid(e["path"] ?? item, "a share needs an absolute path")
        }
        var share = AuditConfig.Share(path: path)
        if let r = e["role"] {
            guard let role = Role(rawValue: try string(r, "role")) else {
                throw invalid(r, "role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            share.role = role
        }
        if let o = e["owner"] { share.owner = try string(o, "owner") }
        if let g = e["group"] { share.group = try string(g, "group") }
        if let c = e["cluster"] { share.cluster = try string(c, "cluster") }
        if let m = e["mode"] {
            // Written 0755 or "0755": the text as written, read as octal.
            guard let mode = m.scalar.flatMap({ UInt32($0, radix: 8) }), mode <= 0o7777 else {
                throw invalid(m, "mode must be octal, like \"0755\"")
            }
            share.mode = mode
        }
        if let v = e["server"] {
            let text = try string(v, "server")
            do { share.server = try ServerURL(parsing: text) } catch { throw invalid(v, error.description) }
        }
        if let v = e["allow_non_nfs"] { share.allowNonNFS = try flag(v, "allow_non_nfs") }
        if let v = e["provision"] { share.provision = try flag(v, "provision") }
        if let v = e["locks"] { share.locks = try flag(v, "locks") }
        return share
    }
}
