/// The mounts of this node (or of a saved mountinfo), and which one holds a given path.
public struct MountTable: Sendable {
    public var entries: [MountInfoEntry]

    public init(_ info: MountInfo) { entries = info.entries }
    public init(entries: [MountInfoEntry]) { self.entries = entries }

    /// Every NFS mount that is visible (not covered by a later mount on the same point).
    public var nfsMounts: [MountInfoEntry] { visible.filter(\.isNFS) }

    /// The mount that answers for `path`: the longest mount point that contains it, and of several
    /// mounts stacked on that point, the one on top (mounted last; mountinfo lists parents first).
    ///
    /// `path` should already be resolved (realpath) when it names this node's files; `device`,
    /// when known (from stat), picks the mount whose MAJOR:MINOR matches among those that contain
    /// the path, so a path under a covered mount is not blamed on the wrong one.
    public func mount(containing path: String, device: (major: UInt32, minor: UInt32)? = nil) -> MountInfoEntry? {
        let normalized = MountTable.normalize(path)
        let candidates = visible.filter { MountTable.isPrefix($0.mountPoint, of: normalized) }
        if let device,
           let byDevice = candidates.filter({ $0.major == device.major && $0.minor == device.minor })
               .max(by: { $0.mountPoint.count < $1.mountPoint.count }) {
            return byDevice
        }
        return candidates.max { $0.mountPoint.count < $1.mountPoint.count }
    }

    /// Mounts not hidden by another mounted later on the same mount point.
    public var visible: [MountInfoEntry] {
        var topByPoint: [String: Int] = [:]
        for (i, e) in entries.enumerated() { topByPoint[e.mountPoint] = i }
        return entries.enumerated().filter { topByPoint[$0.element.mountPoint] == $0.offset }.map(\.element)
    }

    public static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether mount point `point` contains `path`, component-wise (/mnt/a does not contain /mnt/ab).
    static func isPrefix(_ point: String, of path: String) -> Bool {
        point == "/" || path == point || path.hasPrefix(point.hasSuffix("/") ? point : point + "/")
    }
}

extension MountInfoEntry {
    /// Where `path` (normalized, inside this mount) lies in the mounted filesystem: `root` (default the
    /// mount's own, a bind mount's subdirectory) joined with the part of `path` below the mount point.
    public func pathInFilesystem(_ path: String, root: String? = nil) -> String {
        let relative = mountPoint == "/" ? path : String(path.dropFirst(mountPoint.count))
        return MountTable.normalize((root ?? self.root) + "/" + relative)
    }
}
