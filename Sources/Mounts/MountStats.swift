/// `/proc/self/mountstats`: one block per mount; NFS blocks carry the client's counters.
///
/// Understands statvers 1.0 and 1.1, per-op lines of 8 fields (1.0) or 9 (1.1 adds errors),
/// `xprt:` lines for tcp, udp and rdma, and tab- or space-indented blocks. A line that does not
/// parse is skipped with a warning; nothing here traps on input.
public struct MountStats: Sendable {
    public var devices: [Device]
    public var warnings: [ParseWarning]

    public struct Device: Hashable, Sendable, Codable {
        public var source: String
        public var mountPoint: String
        public var fsType: String
        public var statVersion: String?
        /// The `opts:` line: the full option set, ac* always included.
        public var options: String?
        public var ageSeconds: UInt64?
        /// `events:` counters, named where the kernel's order is known (see `eventNames`).
        public var events: [String: UInt64] = [:]
        /// `bytes:` counters, named.
        public var bytes: [String: UInt64] = [:]
        public var transport: Transport?
        /// Per-operation counters, keyed by the operation's name (LOOKUP, GETATTR, …).
        public var operations: [String: Operation] = [:]

        public var isNFS: Bool { fsType == "nfs" || fsType == "nfs4" }
    }

    public struct Transport: Hashable, Sendable, Codable {
        public var proto: String
        public var counters: [UInt64]
    }

    /// `NAME: ops trans timeouts bytes_sent bytes_recv queue rtt execute [errors]`.
    public struct Operation: Hashable, Sendable, Codable {
        public var operations: UInt64
        public var transmissions: UInt64
        public var majorTimeouts: UInt64
        public var bytesSent: UInt64
        public var bytesReceived: UInt64
        public var queueMilliseconds: UInt64
        public var rttMilliseconds: UInt64
        public var executeMilliseconds: UInt64
        public var errors: UInt64?
    }

    /// The kernel's order of the `events:` line (fs/nfs/iostat.h, NFSIOS_*).
    public static let eventNames = [
        "inoderevalidate", "dentryrevalidate", "datainvalidate", "attrinvalidate", "vfsopen", "vfslookup",
        "vfsaccess", "vfsupdatepage", "vfsreadpage", "vfsreadpages", "vfswritepage", "vfswritepages",
        "vfsgetdents", "vfssetattr", "vfsflush", "vfsfsync", "vfslock", "vfsrelease", "congestionwait",
        "setattrtrunc", "extendwrite", "sillyrename", "shortread", "shortwrite", "delay", "pnfsread", "pnfswrite",
    ]
    public static let byteNames = [
        "normalreadbytes", "normalwritebytes", "directreadbytes", "directwritebytes",
        "serverreadbytes", "serverwritebytes", "readpages", "writepages",
    ]

    /// Long: one pass over the file's line kinds (device, opts, age, events, per-op).
    public init(parsing text: String, source: String = "/proc/self/mountstats") {
        devices = []
        warnings = []
        var current: Device?
        var inOperations = false
        func warn(_ line: Int, _ reason: String) {
            warnings.append(ParseWarning(source: source, line: line, reason: reason))
        }

        for (index, rawLine) in splitLines(text).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty { continue }
            if line.hasPrefix("device ") {
                if let current { devices.append(current) }
                current = MountStats.parseDeviceLine(line)
                inOperations = false
                if current == nil { warn(lineNumber, "malformed device line") }
                continue
            }
            guard current != nil else { continue }  // lines of a device we could not read
            if line.hasPrefix("per-op statistics") { inOperations = true; continue }
            guard let colon = line.firstIndex(of: ":") else { warn(lineNumber, "no ':' in line"); continue }
            let key = String(line[..<colon])
            let rest = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            if inOperations {
                if let op = MountStats.parseOperation(rest) {
                    current!.operations[key] = op
                } else {
                    warn(lineNumber, "per-op line '\(key)' needs 8 or 9 numbers")
                }
                continue
            }
            switch key {
            case "opts": current!.options = String(rest)
            case "age": current!.ageSeconds = UInt64(rest.trimmingWhitespace())
            case "events", "bytes":
                let numbers = rest.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { UInt64($0) }
                guard !numbers.contains(nil) else { warn(lineNumber, "\(key): a counter is not a number"); continue }
                let names = key == "events" ? MountStats.eventNames : MountStats.byteNames
                var named: [String: UInt64] = [:]
                for (i, n) in numbers.enumerated() { named[i < names.count ? names[i] : "\(key)\(i)"] = n! }
                if key == "events" { current!.events = named } else { current!.bytes = named }
            case "xprt":
                let parts = rest.split(whereSeparator: { $0 == " " || $0 == "\t" })
                let counters = parts.dropFirst().map { UInt64($0) }
                guard let proto = parts.first, ["tcp", "udp", "rdma"].contains(proto), !counters.contains(nil) else {
                    warn(lineNumber, "xprt: unknown transport or non-numeric counter")
                    continue
                }
                current!.transport = Transport(proto: String(proto), counters: counters.map { $0! })
            default:
                break  // age, caps, sec, nfsv4, impl_id, RPC iostats…: not needed
            }
        }
        if let current { devices.append(current) }
    }

    /// Only the blocks of the mount on `point`: a watcher reads its own mount's counters as it stops, and a
    /// node with many mounts has a long file (warnings' line numbers count the kept lines only).
    public init(parsing text: String, onlyMountedOn point: String, source: String = "/proc/self/mountstats") {
        var kept: [Substring] = [], keep = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("device ") { keep = Self.parseDeviceLine(line)?.mountPoint == point }
            if keep { kept.append(line) }
        }
        self.init(parsing: kept.joined(separator: "\n"), source: source)
    }

    static func parseDeviceLine(_ line: Substring) -> Device? {
        // device SOURCE mounted on POINT with fstype TYPE [statvers=X]
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 7, fields[0] == "device", fields[2] == "mounted", fields[3] == "on",
            fields[5] == "with", fields[6] == "fstype", fields.count >= 8
        else { return nil }
        var device = Device(
            source: unescapeOctal(fields[1]), mountPoint: unescapeOctal(fields[4]), fsType: String(fields[7]))
        if fields.count > 8, fields[8].hasPrefix("statvers=") { device.statVersion = String(fields[8].dropFirst(9)) }
        return device
    }

    static func parseOperation(_ text: Substring) -> Operation? {
        let n = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { UInt64($0) }
        guard n.count == 8 || n.count == 9, !n.contains(nil) else { return nil }
        let v = n.map { $0! }
        return Operation(
            operations: v[0], transmissions: v[1], majorTimeouts: v[2], bytesSent: v[3],
            bytesReceived: v[4], queueMilliseconds: v[5], rttMilliseconds: v[6],
            executeMilliseconds: v[7], errors: v.count == 9 ? v[8] : nil)
    }

    /// The device block for a mount point (the last one listed, as with stacked mounts).
    public func device(mountedOn point: String) -> Device? {
        devices.last { $0.mountPoint == point }
    }
}

extension MountStats.Device {
    /// What happened between two readings of the same mount: counters of `later` minus this.
    /// A counter that went down (a remount, a wrapped value) counts as the later value.
    public func delta(to later: MountStats.Device) -> MountStatsDelta {
        func diff(_ a: UInt64?, _ b: UInt64) -> UInt64 { b >= (a ?? 0) ? b - (a ?? 0) : b }
        var ops: [String: UInt64] = [:]
        for (name, op) in later.operations { ops[name] = diff(operations[name]?.operations, op.operations) }
        var events: [String: UInt64] = [:]
        for (name, n) in later.events { events[name] = diff(self.events[name], n) }
        return MountStatsDelta(operations: ops, events: events)
    }
}

/// RPC and event counts between two mountstats readings.
public struct MountStatsDelta: Hashable, Sendable, Codable {
    public var operations: [String: UInt64]
    public var events: [String: UInt64]

    /// READDIR and READDIRPLUS together, since the client picks one.
    public var readdirCalls: UInt64 { (operations["READDIR"] ?? 0) + (operations["READDIRPLUS"] ?? 0) }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        var text = self
        while let first = text.first, isSpace(first) { text.removeFirst() }
        while let last = text.last, isSpace(last) { text.removeLast() }
        return text
    }
}
