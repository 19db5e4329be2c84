import Glibc

/// Names of the files the agent creates on shared storage: unique per node, process and call, and
/// recognisable (`.nfskeeper-PURPOSE-NODE-PID-RANDOM`), so that a later run can find the leftovers
/// of a killed one and never mistakes anyone else's file for its own.
public enum TemporaryName {
    public static let prefix = ".nfskeeper-"

    public static func make(purpose: String, node: String) -> String {
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return "\(prefix)\(purpose)-\(safeNode(node))-\(getpid())-\(random)"
    }

    /// Whether `name` is one `make(purpose:node:)` gave a run of this node whose process is gone (killed,
    /// crashed): its leftovers are this node's to remove. Another node's names, a live process's, and
    /// names of any other shape are not.
    public static func isKilledRunsLeftover(_ name: String, purpose: String, node: String) -> Bool {
        let ours = prefix + purpose + "-" + safeNode(node) + "-"
        guard name.hasPrefix(ours) else { return false }
        let fields = name.dropFirst(ours.count).split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count == 2, let pid = Int32(fields[0]), pid > 0, pid != getpid() else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// The node name as it appears in file names: `NodeName.fileComponent` for a valid name (the CLI
    /// and the configuration accept no other); anything else is flattened to letters, digits and '.'.
    public static func safeNode(_ node: String) -> String {
        // Not a valid node name: the escaped form below.
        if let name = try? NodeName(node) { return name.fileComponent }
        return String(
            node.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ".") ? $0 : "_" }.prefix(NodeName.maxLength))
    }
}
