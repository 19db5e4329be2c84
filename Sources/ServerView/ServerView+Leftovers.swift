import CNFS
import Glibc

extension ServerView {
    /// Removes what a killed run of this node left in `dir`: regular files named by
    /// `TemporaryName.make(purpose:node:)` whose process no longer exists on this node. Another node's
    /// files, a live process's, and anything not a regular file (a planted symlink or directory) stay.
    /// Returns the names removed.
    public func removeLeftovers(in dir: String, purpose: String, node: String) -> [String] {
        // Leftovers are removed when they can be; none found is no error.
        guard let entries = try? readdir(dir) else { return [] }
        var removed: [String] = []
        for entry in entries where TemporaryName.isKilledRunsLeftover(entry.name, purpose: purpose, node: node) {
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
