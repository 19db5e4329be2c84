/// One line of `/proc/self/mountinfo` (proc(5)):
/// `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`
public struct MountInfoEntry: Hashable, Sendable, Codable {
    public var mountID: Int
    public var parentID: Int
    public var major: UInt32
    public var minor: UInt32
    /// The directory of the filesystem that forms this mount's root (not "/" for bind mounts).
    public var root: String
    public var mountPoint: String
    /// Per-mount options (rw, noatime, …).
    public var mountOptions: [String]
    /// Propagation tags: shared:N, master:N, propagate_from:N, unbindable.
    public var optionalFields: [String]
    public var fsType: String
    /// For NFS, `server:/export`.
    public var source: String
    /// Per-superblock options; for NFS, the client's whole option set as the kernel prints it.
    public var superOptions: String

    public var isNFS: Bool { fsType == "nfs" || fsType == "nfs4" }
    public var isReadOnly: Bool { mountOptions.contains("ro") }
}

public struct MountInfo: Sendable {
    public var entries: [MountInfoEntry]
    public var warnings: [ParseWarning]

    /// Parses the whole text; malformed lines are skipped and reported in `warnings`.
    public init(parsing text: String, source: String = "/proc/self/mountinfo") {
        entries = []
        warnings = []
        for (index, line) in splitLines(text).enumerated() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
            switch MountInfo.parseLine(line.hasSuffix("\r") ? line.dropLast() : line) {
            case .success(let entry): entries.append(entry)
            case .failure(let reason):
                warnings.append(ParseWarning(source: source, line: index + 1, reason: reason.text))
            }
        }
    }

    struct Reason: Error { var text: String }

    static func parseLine(_ line: Substring) -> Result<MountInfoEntry, Reason> {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let dash = fields.firstIndex(of: "-"), dash >= 6 else {
            return .failure(Reason(text: "no ' - ' separator after the sixth field"))
        }
        guard fields.count >= dash + 3 else {
            return .failure(Reason(text: "fewer than three fields after ' - '"))
        }
        guard let id = Int(fields[0]), let parent = Int(fields[1]) else {
            return .failure(Reason(text: "mount id and parent id must be numbers"))
        }
        let device = fields[2].split(separator: ":", omittingEmptySubsequences: false)
        guard device.count == 2, let major = UInt32(device[0]), let minor = UInt32(device[1]) else {
            return .failure(Reason(text: "device '\(fields[2])' is not MAJOR:MINOR"))
        }
        let mountPoint = unescapeOctal(fields[4])
        guard mountPoint.hasPrefix("/") else { return .failure(Reason(text: "mount point is not absolute")) }
        return .success(
            MountInfoEntry(
                mountID: id, parentID: parent, major: major, minor: minor,
                root: unescapeOctal(fields[3]), mountPoint: mountPoint,
                mountOptions: fields[5].split(separator: ",").map(String.init),
                optionalFields: fields[6..<dash].map(String.init),
                fsType: String(fields[dash + 1]), source: unescapeOctal(fields[dash + 2]),
                superOptions: fields.count > dash + 3 ? fields[(dash + 3)...].joined(separator: " ") : ""))
    }
}
