import Check
import FoundationEssentials
import Mounts
import PositConfig
import Reports

/// The result of `nfskeeper ready`: each product's requirements on this node.
public struct ReadinessReport: Codable, Sendable {
    public var node: String
    public var products: [ProductReadiness]
    /// The live node's NFSv4 owners of the shared placements, beside the server's (`measure`).
    public var owners: [OwnerComparison] = []
    public var findings: [Finding]
    public var severity: Severity
}

public enum ReadinessCheck {
    /// Judges `products` (nil: those installed on the node). Asked for a product that is not there:
    /// an unknown finding (nothing to judge is not a pass).
    public static func run(_ facts: NodeFacts, products: [PositProduct]?, node: String) -> ReadinessReport {
        let chosen = products ?? PositProduct.allCases.filter(facts.isInstalled)
        var findings: [Finding] = []
        var judged: [ProductReadiness] = []
        if chosen.isEmpty {
            findings.append(Finding(.unknown, "no-product", "no Posit product is installed here (no package, no "
                                    + "/etc/rstudio, /etc/rstudio-pm or /etc/rstudio-connect)",
                                    fix: "name one: nfskeeper ready --product workbench"))
        }
        for product in chosen.sorted() {
            guard facts.isInstalled(product) else {
                findings.append(Finding(.unknown, Rule("\(product.rulePrefix)-installed"), subject: product.rawValue,
                                        "\(product.name) is not installed here: nothing to judge"))
                continue
            }
            let readiness = Requirements.judge(product, facts)
            judged.append(readiness)
            findings += readiness.findings
        }
        return ReadinessReport(node: node, products: judged, findings: findings, severity: findings.worst)
    }

    /// What the node report publishes per product: versions and ids as they are, every setting and
    /// every state location only as a keyed fingerprint.
    public static func summaries(_ report: ReadinessReport, _ facts: NodeFacts,
                                 fingerprint: (String) -> String) -> [ProductSummary] {
        report.products.map { p in
            // A local path is this node's own place, whatever its name: the node is part of it.
            func place(_ p: Placement) -> String { fingerprint(p.shared ? p.location : "\(report.node) \(p.location)") }
            var targets = Dictionary(p.placements.filter { $0.requirement == .shared }.map { ($0.setting, place($0)) },
                                     uniquingKeysWith: { a, _ in a })
            let perNode = Dictionary(p.placements.filter { $0.requirement == .perNode }.map { ($0.setting, place($0)) },
                                     uniquingKeysWith: { a, _ in a })
            if let database = databaseTarget(p.product, facts) { targets["database"] = fingerprint(database) }
            // S3 storage: every node must hold the same encryption key (its contents, fingerprinted).
            if let key = p.placements.first(where: { $0.setting == "Server.EncryptionKeyPath" }),
               let contents = facts.secret(key.path) {
                targets["encryption-key"] = fingerprint("key " + contents)
            }
            let settings = settingTexts(p.product, facts).mapValues(fingerprint)
            return ProductSummary(product: p.product, version: p.version, serviceUser: p.serviceUser,
                                  serviceUID: p.serviceUID, serviceGID: p.serviceGID, settings: settings,
                                  targets: targets, perNode: perNode)
        }
    }

    /// The users and groups the fleet compares: ids from 1000 up (not nobody, not the kernel's "no id"),
    /// and their primary groups; each name with a keyed fingerprint of its id, at most `limit` of each.
    public static func accountSummary(_ facts: NodeFacts, fingerprint: (String) -> String) -> AccountSummary {
        func compared(_ id: UInt32) -> Bool { id >= 1000 && id != 65534 && id < 4_294_967_294 }
        let users = facts.passwd.users.filter { compared($0.uid) }
        let primary = Set(users.map(\.gid))
        let groups = facts.groups.groups.filter { compared($0.gid) || primary.contains($0.gid) }
        let limit = AccountSummary.limit
        func table(_ entries: [(String, UInt32)], _ kind: String) -> [String: String] {
            Dictionary(entries.prefix(limit).map { ($0.0, String(fingerprint("\(kind) \($0.0) \($0.1)").prefix(16))) },
                       uniquingKeysWith: { a, _ in a })
        }
        return AccountSummary(users: table(users.map { ($0.name, $0.uid) }, "user"),
                              groups: table(groups.map { ($0.name, $0.gid) }, "group"),
                              truncated: users.count > limit || groups.count > limit
                                  || facts.passwd.users.count >= NameService.limit
                                  || facts.groups.groups.count >= NameService.limit)
    }

    /// Everything in the product's configuration directory, as what must match across nodes: each
    /// setting of its `key=value` and gcfg files as `file:section.key` → value (repeated keys joined,
    /// as launcher.conf's `[cluster]` sections repeat), every other file (keys, launcher-mounts,
    /// profiles, r-versions…) as its relative path → its bytes. Only fingerprints of these leave the node.
    static func settingTexts(_ product: PositProduct, _ facts: NodeFacts) -> [String: String] {
        var out: [String: String] = [:]
        func add(_ key: String, _ value: String) { out[key] = out[key].map { $0 + "\n" + value } ?? value }
        for (file, bytes) in facts.configs[product]?.files ?? [:] {
            let text = String(decoding: bytes, as: UTF8.self)
            if file.hasSuffix(".gcfg") {
                for e in Gcfg(parsing: text).entries {
                    add("\(file):\(e.section)\(e.subsection.map { " \"\($0)\"" } ?? "").\(e.key)", e.value)
                }
            } else if isKeyValueFile(file) {
                for e in parseConfigEntries(text) {
                    add(e.section.isEmpty ? "\(file):\(e.key)" : "\(file):\(e.section).\(e.key)", e.value)
                }
            } else {
                out[file] = "bytes " + Data(bytes).base64EncodedString()
            }
        }
        return out
    }

    /// Workbench's `key=value` files: compared setting by setting, so that the settings the guide lets
    /// differ can be left out. Every other file is compared whole.
    static func isKeyValueFile(_ file: String) -> Bool {
        file.hasSuffix(".conf") || file == "load-balancer" || file == "file-locks"
    }

    /// The database every node must share: provider, host, port and name (never the credentials).
    static func databaseTarget(_ product: PositProduct, _ facts: NodeFacts) -> String? {
        switch product {
        case .workbench:
            let c = Requirements.settings(facts, "/etc/rstudio/database.conf")
            return [c["provider"] ?? "sqlite", c["host"] ?? "", c["port"] ?? "", c["database"] ?? ""]
                .joined(separator: "|")
        case .packageManager, .connect:
            let gcfg = Gcfg(parsing: product.gcfgFile.flatMap { facts.files[$0] } ?? "")
            let url = gcfg.value("Postgres", "URL").flatMap { URLComponents(string: $0) }
            let port = url?.port.map(String.init) ?? ""
            return [gcfg.value("Database", "Provider") ?? "sqlite", url?.host ?? "", port, url?.path ?? ""]
                .joined(separator: "|")
        }
    }
}
