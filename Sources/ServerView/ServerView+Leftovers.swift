import CNFS
import Glibc

extension ServerView {
    /// Removes what a killed run of this node left in `dir`: regular files named by
    /// `TemporaryName.make(purpose:node:)` whose process no longer exists on this node. Another node's
    /// files, a live process's, and anything not a regular file (a planted symlink or directory) stay.
    /// Returns the names removed.
    public func removeLeftovers(in dir: String, purpose: String, node: String) -> [String] {
        let prefix = TemporaryName.prefix + purpose + "-" + TemporaryName.safeNode(node) + "-"
        // Leftovers are removed when they can be; none found is no error.
        guard let entries = try? readdir(dir) else { return [] }
        var removed: [String] = []
        for entry in entries where entry.name.hasPrefix(prefix) {
            let fields = entry.name.dropFirst(prefix.count).split(separator: "-")
            guard fields.count == 2, let pid = Int32(fields[0]), pid > 0, pid != getpid(),
                kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            let path = (dir.hasSuffix("/") ? dir : dir + "/") + entry.name
            // Unknown type: left in place.
            let type = entry.attributes.type != .unknown ? entry.attributes.type : (try? stat(path))?.type
            // A leftover that cannot be removed now is tried again by the next run.
            guard type == .regular, (try? unlink(path)) != nil else { continue }
            removed.append(entry.name)
        }
        return removed
    }
}
