import PositConfig
import Reports

/// The cross-node requirements of Posit's HA guides, from what each node's report publishes.
extension FleetReport {
    static func productFindings(_ fresh: [NodeReport]) -> [Finding] {
        let keyID = majority(fresh.map { $0.configKeyID ?? "" })
        var findings: [Finding] = []
        for product in PositProduct.allCases {
            let having = fresh.compactMap { r in r.products?.first { $0.product == product }.map { (r, $0) } }
            guard having.count > 1 else { continue }
            findings += odd(having, product, "product-version", { $0.version ?? "unknown" }) { node, mine, usual in
                "\(node) runs \(product.name) \(mine), most nodes \(usual): every node must run the same version"
            }
            findings += odd(having, product, "product-ids", { "\($0.serviceUID.map(String.init) ?? "none"):"
                + "\($0.serviceGID.map(String.init) ?? "none")" }) { node, mine, usual in
                "\(node)'s \(product.defaultServiceUser) account is uid:gid \(mine), most nodes \(usual): ids must "
                    + "match on every node"
            }
            let comparable = having.filter { ($0.0.configKeyID ?? "") == keyID }
            findings += settingDrift(comparable, product)
            findings += locationDrift(comparable, product)
        }
        return findings
    }

    /// One finding per node whose value differs from the majority of the nodes that have the product.
    static func odd(_ having: [(NodeReport, ProductSummary)], _ product: PositProduct, _ rule: Rule,
                    _ value: (ProductSummary) -> String,
                    message: (String, String, String) -> String) -> [Finding] {
        guard let usual = majority(having.map { value($0.1) }) else { return [] }
        return having.filter { value($0.1) != usual }.map { r, p in
            Finding(.crit, rule, subject: r.node, message(r.node, value(p), usual))
        }
    }

    /// Settings and files whose fingerprint differs from the majority's (a missing one counting as
    /// absent), except those the guide lets differ per node: one finding per node, naming them, never
    /// values. Critical where the guide requires identical configuration, a warning for Connect, whose
    /// guide calls it "not strictly required".
    static func settingDrift(_ having: [(NodeReport, ProductSummary)], _ product: PositProduct) -> [Finding] {
        let keys = Set(having.flatMap { $0.1.settings.keys }).subtracting(product.nodeSpecificSettings)
        var differing: [String: [String]] = [:]
        for key in keys.sorted() {
            let usual = majority(having.map { $0.1.settings[key] ?? absent })
            for (r, p) in having where (p.settings[key] ?? absent) != usual {
                differing[r.node, default: []].append(key)
            }
        }
        let allowed = product.nodeSpecificSettings.sorted()
        return differing.sorted { $0.key < $1.key }.map { node, keys in
            let named = keys.prefix(6).joined(separator: ", ") + (keys.count > 6 ? ", and \(keys.count - 6) more" : "")
            return Finding(product.requiresIdenticalConfiguration ? .crit : .warn, "product-config", subject: node,
                           "\(node)'s \(product.name) configuration differs from most nodes' in: \(named)",
                           fix: "make \(product.configDirectory) the same on every node"
                               + (allowed.isEmpty ? "" : " (only \(allowed.joined(separator: ", ")) may differ)"))
        }
    }

    /// Where state lives: each shared place must be one for all nodes; each per-node place (Connect's
    /// metrics) a node's own.
    static func locationDrift(_ having: [(NodeReport, ProductSummary)], _ product: PositProduct) -> [Finding] {
        var findings: [Finding] = []
        for role in Set(having.flatMap { $0.1.targets.keys }).sorted() {
            let with = having.filter { $0.1.targets[role] != nil }
            findings += odd(with, product, "product-location", { $0.targets[role] ?? "" }) { node, _, _ in
                "\(node)'s \(product.name) \(role) is not the one most nodes use: every node must share it"
            }
        }
        for setting in Set(having.flatMap { $0.1.perNode?.keys ?? [:].keys }).sorted() {
            let places = having.compactMap { r, p in p.perNode?[setting].map { ($0, r.node) } }
            for (_, nodes) in Dictionary(grouping: places, by: \.0) where nodes.count > 1 {
                let names = nodes.map(\.1).sorted().joined(separator: ", ")
                findings.append(Finding(.crit, "connect-metrics-shared", subject: names,
                                        "\(names) keep \(product.name)'s \(setting) in the same place: each node "
                                            + "must have its own (a directory unique per server)"))
            }
        }
        return findings
    }
}
