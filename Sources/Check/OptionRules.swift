import Mounts
import Reports

/// An edit of a mount's option list: options to put in (`name` or `name=value`) and names to drop.
public struct OptionChange: Sendable, Hashable {
    public var set: [String] = []
    public var remove: [String] = []

    public init(set: [String] = [], remove: [String] = []) { (self.set, self.remove) = (set, remove) }
}

/// One mount-option condition that `check` reports and `advise` fixes: the single place that says
/// when it applies, what check writes, and what advise changes (and why, in a few words).
public struct OptionRule: Sendable {
    /// What the rule says about one mount's options.
    public struct Verdict: Sendable {
        public var severity: Severity
        public var option: String
        public var value: String?
        public var message: String
        public var fix: String?
        /// What advise changes; empty for a verdict that needs no change.
        public var change = OptionChange()
        /// advise's reason for the change.
        public var reason = ""
    }

    public let rule: Rule
    /// The verdicts for these options: none when the rule has nothing to say.
    public let judge: @Sendable (NFSMountOptions) -> [Verdict]

    /// Every rule, in check's report order: these come before its visibility and cache-time findings...
    public static let beforeVisibility: [OptionRule] = [version, recovery, locking, cto, noac, sync]
    /// ...and these after.
    public static let afterVisibility: [OptionRule] = [attributeCache, transport, transferSize]
    public static var table: [OptionRule] { beforeVisibility + afterVisibility }

    static let remount = "umount and mount again; a remount cannot change this option"

    /// The NFS version and what it implies; advise changes nothing for it.
    static let version = OptionRule(rule: "nfs-version") { o in
        guard let v = o.version else {
            return [Verdict(severity: .info, option: "vers", message: "the NFS version is not shown; assume whatever "
                            + "the client and server negotiated")]
        }
        switch o.majorVersion {
        case 2:
            return [Verdict(severity: .crit, option: "vers", value: v, message: "NFSv2 has 32-bit sizes and no safe "
                            + "asynchronous writes", fix: "vers=4.2 (or vers=3)")]
        case 3:
            return [Verdict(severity: .info, option: "vers", value: v, message: "NFSv3: locks go through NLM, so "
                            + "rpc.statd must run on every node; new files are detected by the directory's mtime, at "
                            + "the server's timestamp granularity")]
        case _ where v == "4" || v == "4.0":
            return [Verdict(severity: .info, option: "vers", value: v, message: "NFSv4.0 has no sessions: replays "
                            + "after a lost reply are not exactly-once", fix: "vers=4.2 if the server supports it")]
        default:
            return [Verdict(severity: .ok, option: "vers", value: v,
                            message: "NFSv\(v): sessions, in-protocol locking, change attributes")]
        }
    }

    /// Attribute caching beyond a minute; advise changes nothing for it.
    static let attributeCache = OptionRule(rule: "attribute-cache") { o in
        [("acregmax", o.acregmax), ("acdirmax", o.acdirmax)].filter { $0.1 > 60 && !o.noac }.map { name, value in
            Verdict(severity: .warn, option: name, value: String(value), message: "attributes (size, mtime, owner) "
                    + "changed on another node can look unchanged here for up to \(value) s",
                    fix: "\(name)=60 or less (\(remount))")
        }
    }

    static let recovery = OptionRule(rule: "recovery") { o in
        switch o.recovery {
        case .hard:
            return [Verdict(severity: .ok, option: "hard", message: "hard: calls retry until the server answers, so no "
                            + "write is lost (a process waits instead)")]
        case .soft, .softerr:
            let name = o.recovery.rawValue
            let error = o.recovery == .soft ? "EIO" : "ETIMEDOUT"
            return [Verdict(severity: .warn, option: name,
                            message: "\(name): after \(o.retrans ?? 2) retransmissions a call fails with \(error); "
                                + "a write to shared data can be lost without the application noticing",
                            fix: "hard (the default)", change: OptionChange(set: ["hard"], remove: [name]),
                            reason: "\(name) can lose writes to shared data")]
        }
    }

    static let locking = OptionRule(rule: "locking") { o in
        guard !o.lock || o.localLock != "none" else {
            return [Verdict(severity: .ok, option: "lock", message: "the options send locks to the server (measure it: "
                            + "nfskeeper locks PATH)")]
        }
        let dropped = (o.lock ? [] : ["nolock"]) + (o.localLock == "none" ? [] : ["local_lock"])
        let why = (o.lock ? [] : ["nolock"]) + (o.localLock == "none" ? [] : ["local_lock=\(o.localLock)"])
        return [Verdict(severity: .warn, option: o.lock ? "local_lock" : "nolock",
                        value: o.lock ? "local_lock=\(o.localLock)" : "nolock",
                        message: "locks are kept on this node only: two nodes can each hold a lock on the same file "
                            + "(Package Manager and Workbench lock files on the share)",
                        fix: o.majorVersion == 3 ? "remove nolock/local_lock and run rpc.statd, or mount with vers=4.2"
                            : "remove local_lock (local_lock=none)",
                        change: OptionChange(remove: dropped),
                        reason: why.joined(separator: " and ") + (why.count == 1 ? " keeps" : " keep")
                            + " locks on this node only")]
    }

    static let cto = OptionRule(rule: "cto") { o in
        guard !o.cto else {
            return [Verdict(severity: .ok, option: "cto", message: "close-to-open: opening a file or directory fetches "
                            + "fresh attributes")]
        }
        return [Verdict(severity: .warn, option: "nocto", message: "nocto: opening a file or directory does not "
                        + "revalidate it, so listings can miss another node's new files for up to acdirmax "
                        + "(\(o.acdirmax) s) and reads can return stale data", fix: "remove nocto (\(remount))",
                        change: OptionChange(remove: ["nocto"]),
                        reason: "nocto hides other nodes' new files from listings for up to acdirmax")]
    }

    /// noac: correct but costly. advise's change buys visibility with lookupcache=pos instead.
    static let noac = OptionRule(rule: "noac") { o in
        guard o.noac else { return [] }
        return [Verdict(severity: .warn, option: "noac", message: "noac: a GETATTR on nearly every access and every "
                            + "write synchronous; visibility is immediate but the server carries far more load",
                            fix: "lookupcache=pos (and actimeo=N if attributes must be fresh) instead of noac",
                            change: OptionChange(set: ["lookupcache=pos"], remove: ["noac"]),
                            reason: "noac makes every access a GETATTR and every write synchronous; lookupcache=pos "
                                + "alone makes new files visible at once")]
    }

    /// sync under noac is part of noac (and goes with it).
    static let sync = OptionRule(rule: "sync") { o in
        guard o.sync && !o.noac else { return [] }
        return [Verdict(severity: .info, option: "sync", message: "sync: every write waits for the server; slow for "
                        + "Package Manager's package uploads", fix: "remove sync unless an application needs it",
                        change: OptionChange(remove: ["sync"]), reason: "sync makes every write wait for the server")]
    }

    static let transport = OptionRule(rule: "transport") { o in
        guard o.proto.hasPrefix("udp") else { return [] }
        return [Verdict(severity: .warn, option: "proto", value: o.proto, message: "UDP: lost datagrams cost a whole "
                        + "timeo before retransmission, and fragment reassembly can corrupt data at high rates",
                        fix: "proto=tcp", change: OptionChange(set: ["proto=tcp"]),
                        reason: "UDP loses and corrupts under load")]
    }

    static let transferSize = OptionRule(rule: "transfer-size") { o in
        [("rsize", o.rsize), ("wsize", o.wsize)].compactMap { name, size in
            guard let size, size < 32768 else { return nil }
            return Verdict(severity: .warn, option: name, value: String(size), message: "\(name)=\(size): large files "
                           + "(packages, session data) take many more RPCs than needed",
                           fix: "remove \(name) to let client and server negotiate (usually 1 MiB)",
                           change: OptionChange(remove: [name]), reason: "\(name)=\(size) is tiny; let client and "
                               + "server negotiate")
        }
    }
}
