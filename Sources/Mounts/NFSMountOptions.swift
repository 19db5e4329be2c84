/// An NFS mount's options with the kernel's defaults applied, as nfs(5) defines them.
///
/// Built from any option text: mountinfo's super options (which omit defaults), mountstats'
/// `opts:` line (which always prints ac*), or what fstab declares. Options are applied in order,
/// as the kernel does: `actimeo=5,acdirmax=60` leaves acdirmax at 60; `noac` forces every ac*
/// to 0 and implies `sync`. Options nfskeeper does not model are kept in `other`, never dropped.
public struct NFSMountOptions: Hashable, Sendable, Codable {
    public enum LookupCache: String, Sendable, Codable { case all, positive = "pos", none }
    public enum Recovery: String, Sendable, Codable { case hard, soft, softerr }

    /// "3", "4", "4.0", "4.1", "4.2"; nil when neither the text nor the filesystem type says.
    public var version: String?
    public var proto = "tcp"
    public var port: Int?
    public var mountPort: Int?
    public var rsize: Int?
    public var wsize: Int?
    /// Tenths of a second (nfs(5)); 600 over TCP by default, 11 over UDP.
    public var timeo: Int?
    public var retrans: Int?
    public var recovery = Recovery.hard
    public var sec = "sys"
    public var acregmin = 3
    public var acregmax = 60
    public var acdirmin = 30
    public var acdirmax = 60
    public var noac = false
    public var lookupcache = LookupCache.all
    public var cto = true
    /// NLM locking (`lock`, default) or none (`nolock`); NFSv4 locks in-protocol.
    public var lock = true
    /// `local_lock=none|all|flock|posix`.
    public var localLock = "none"
    public var sync = false
    public var readOnly = false
    public var nconnect: Int?
    public var addr: String?
    public var mountAddr: String?
    public var clientAddr: String?
    /// Options set explicitly in the text, in order of appearance (names only).
    public var explicit: [String] = []
    /// Options not modelled above, with their values, in order.
    public var other: [Option] = []

    public struct Option: Hashable, Sendable, Codable {
        public var name: String
        public var value: String?
    }

    public init() {}

    /// Applies `text` (comma-separated) on top of the defaults. `fsType` "nfs4" implies vers=4.
    public init(parsing text: String, fsType: String? = nil) {
        if fsType == "nfs4" { version = "4" }
        for (name, value) in splitOptions(Substring(text)) { apply(name, value) }
        if noac { (acregmin, acregmax, acdirmin, acdirmax, sync) = (0, 0, 0, 0, true) }
    }

    public var majorVersion: Int? { version.flatMap { Int($0.prefix { $0 != "." }) } }

    /// Worst-case seconds before this node sees a file that another node created under a name
    /// this node had already looked up and found missing (a cached negative dentry).
    /// With `lookupcache=all` the entry lives until the directory's attributes are revalidated:
    /// at least acdirmin, at most acdirmax seconds. `pos`/`none` do not cache misses.
    public var negativeLookupWindow: ClosedRange<Int> {
        if noac || lookupcache != .all { return 0...0 }
        return min(acdirmin, acdirmax)...acdirmax
    }

    private mutating func apply(_ rawName: String, _ value: String?) {
        let name = rawName.lowercased()
        explicit.append(name)
        let number = value.flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }  // else kept in `other`
        switch (name, number) {
        case ("vers", _), ("nfsvers", _): version = value
        case ("v2", _), ("v3", _), ("v4", _): version = String(name.dropFirst())
        case ("proto", _): proto = value ?? proto
        case ("udp", _), ("tcp", _), ("rdma", _): proto = name
        case ("port", let n?): port = n
        case ("mountport", let n?): mountPort = n
        case ("rsize", let n?): rsize = n
        case ("wsize", let n?): wsize = n
        case ("timeo", let n?): timeo = n
        case ("retrans", let n?): retrans = n
        case ("hard", _): recovery = .hard
        case ("soft", _): recovery = .soft
        case ("softerr", _): recovery = .softerr
        case ("sec", _): sec = value ?? sec
        case ("acregmin", let n?): acregmin = n
        case ("acregmax", let n?): acregmax = n
        case ("acdirmin", let n?): acdirmin = n
        case ("acdirmax", let n?): acdirmax = n
        case ("actimeo", let n?): (acregmin, acregmax, acdirmin, acdirmax) = (n, n, n, n)
        case ("noac", _): noac = true
        case ("ac", _): noac = false
        case ("lookupcache", _):
            switch value?.lowercased() {
            case "all": lookupcache = .all
            case "pos", "positive": lookupcache = .positive
            case "none": lookupcache = .none
            default: other.append(Option(name: rawName, value: value))
            }
        case ("cto", _): cto = true
        case ("nocto", _): cto = false
        case ("lock", _): lock = true
        case ("nolock", _): lock = false
        case ("local_lock", _): localLock = value ?? localLock
        case ("sync", _): sync = true
        case ("async", _): sync = false
        case ("ro", _): readOnly = true
        case ("rw", _): readOnly = false
        case ("nconnect", let n?): nconnect = n
        case ("addr", _): addr = value
        case ("mountaddr", _): mountAddr = value
        case ("clientaddr", _): clientAddr = value
        default: other.append(Option(name: rawName, value: value))
        }
    }
}
