import PositConfig
import Reports

/// Workbench requirement 3 (the same user names and ids, and the groups they use, on every node) and
/// Connect's "Consistent Users and Groups", from each node's keyed fingerprints.
extension FleetReport {
    /// One finding per node whose accounts differ from most nodes': critical where a name has another
    /// id, a warning where it is only missing or extra. Names are listed, ids never.
    static func accountDrift(_ fresh: [NodeReport]) -> [Finding] {
        let keyID = majority(fresh.map { $0.configKeyID ?? "" })
        let having = fresh.compactMap { r in r.accounts.map { (r, $0) } }.filter { ($0.0.configKeyID ?? "") == keyID }
        guard having.count > 1 else { return [] }
        // A truncated list cannot tell a missing account from one beyond the limit.
        let countMissing = !having.contains { $0.1.truncated }
        var other: [String: [String]] = [:], missing: [String: [String]] = [:]
        for (kind, table) in [("user", \AccountSummary.users), ("group", \AccountSummary.groups)] {
            for name in Set(having.flatMap { $0.1[keyPath: table].keys }).sorted() {
                let values = having.map { $0.1[keyPath: table][name] ?? absent }
                guard let usual = majority(values) else { continue }
                for ((r, _), value) in zip(having, values) where value != usual {
                    if value != absent && usual != absent {
                        other[r.node, default: []].append("\(kind) \(name)")
                    } else if countMissing {
                        missing[r.node, default: []].append("\(kind) \(name)" + (value == absent ? " missing"
                                                                                                  : " extra"))
                    }
                }
            }
        }
        return Set(other.keys).union(missing.keys).sorted().map { node in
            let names = (other[node] ?? []) + (missing[node] ?? [])
            let more = names.count > 6 ? ", and \(names.count - 6) more" : ""
            let listed = names.prefix(6).joined(separator: ", ") + more
            return Finding(other[node] == nil ? .warn : .crit, "user-ids", subject: node,
                           "\(node)'s users and groups differ from most nodes': \(listed)",
                           fix: "the same name, uid and gid for every user and group on every node (one directory "
                               + "through LDAP/SSSD, or the same /etc/passwd and /etc/group)")
        }
    }
}
