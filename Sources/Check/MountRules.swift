import Mounts
import Reports

/// The rules `check` applies to one NFS mount's effective options. Pure: options in, findings out.
///
/// Every finding names the option and its effective value, says why it matters for a directory
/// that several nodes share (Package Manager's DataDir, Workbench's launcher scratch and home
/// directories), and what to set.
public struct MountRules: Sendable {
    /// Longest acceptable wait, in seconds, before a file another node created becomes visible.
    public var targetDelay: Int

    public init(targetDelay: Int = 5) { self.targetDelay = targetDelay }

    public func findings(mountPoint: String, options o: NFSMountOptions) -> [Finding] {
        var out: [Finding] = []
        func add(_ severity: Severity, _ rule: String, _ option: String?, _ value: String?, _ message: String, fix: String? = nil) {
            out.append(Finding(severity, rule, subject: mountPoint, option: option, value: value, message, fix: fix))
        }
        let remount = "umount and mount again; a remount cannot change this option"

        // NFS version.
        switch o.version {
        case nil:
            add(.info, "nfs-version", "vers", nil, "the NFS version is not shown; assume whatever the client and server negotiated")
        case let v? where o.majorVersion == 2:
            add(.crit, "nfs-version", "vers", v, "NFSv2 has 32-bit sizes and no safe asynchronous writes", fix: "vers=4.2 (or vers=3)")
        case let v? where o.majorVersion == 3:
            add(.info, "nfs-version", "vers", v, "NFSv3: locks go through NLM, so rpc.statd must run on every node; new files are detected by the directory's mtime, at the server's timestamp granularity")
        case let v? where v == "4" || v == "4.0":
            add(.info, "nfs-version", "vers", v, "NFSv4.0 has no sessions: replays after a lost reply are not exactly-once", fix: "vers=4.2 if the server supports it")
        case let v?:
            add(.ok, "nfs-version", "vers", v, "NFSv\(v): sessions, in-protocol locking, change attributes")
        }

        // Recovery when the server does not answer.
        switch o.recovery {
        case .hard:
            add(.ok, "recovery", "hard", nil, "hard: calls retry until the server answers, so no write is lost (a process waits instead)")
        case .soft, .softerr:
            add(.warn, "recovery", o.recovery.rawValue, nil,
                "\(o.recovery.rawValue): after \(o.retrans ?? 2) retransmissions a call fails with \(o.recovery == .soft ? "EIO" : "ETIMEDOUT"); a write to shared data can be lost without the application noticing",
                fix: "hard (the default)")
        }

        // Locking.
        let localLocks = !o.lock || o.localLock != "none"
        if localLocks {
            let value = !o.lock ? "nolock" : "local_lock=\(o.localLock)"
            add(.warn, "locking", !o.lock ? "nolock" : "local_lock", value,
                "locks are kept on this node only: two nodes can each hold a lock on the same file (Package Manager and Workbench lock files on the share)",
                fix: o.majorVersion == 3 ? "remove nolock/local_lock and run rpc.statd, or mount with vers=4.2" : "remove local_lock (local_lock=none)")
        } else {
            add(.ok, "locking", "lock", nil, "the options send locks to the server (measure it: nfskeeper locks PATH)")
        }

        // Close-to-open consistency.
        if !o.cto {
            add(.warn, "cto", "nocto", nil,
                "nocto: opening a file or directory does not revalidate it, so listings can miss another node's new files for up to acdirmax (\(o.acdirmax) s) and reads can return stale data",
                fix: "remove nocto (\(remount))")
        } else {
            add(.ok, "cto", "cto", nil, "close-to-open: opening a file or directory fetches fresh attributes")
        }

        // noac and sync: correct but costly.
        if o.noac {
            add(.warn, "noac", "noac", nil,
                "noac: a GETATTR on nearly every access and every write synchronous; visibility is immediate but the server carries far more load",
                fix: "lookupcache=pos (and actimeo=N if attributes must be fresh) instead of noac")
        } else if o.sync {
            add(.info, "sync", "sync", nil, "sync: every write waits for the server; slow for Package Manager's package uploads", fix: "remove sync unless an application needs it")
        }

        // The negative-lookup window: the delay this product exists for.
        let window = o.negativeLookupWindow
        let windowText = window.lowerBound == window.upperBound ? "\(window.upperBound) s" : "\(window.lowerBound)–\(window.upperBound) s"
        switch (o.noac, o.lookupcache) {
        case (true, _):
            add(.ok, "negative-lookup", "noac", nil, "misses are revalidated at once (noac)")
        case (false, .all) where window.upperBound > targetDelay:
            add(.warn, "negative-lookup", "lookupcache", "all",
                "a file another node creates under a name this node already looked up stays invisible for \(windowText) (acdirmin=\(o.acdirmin), acdirmax=\(o.acdirmax)): Package Manager and the Job Launcher miss new files",
                fix: "lookupcache=pos, or acdirmax=\(targetDelay) where misses must stay cached (\(remount))")
        case (false, .all):
            add(.ok, "negative-lookup", "lookupcache", "all",
                "misses are cached for at most \(window.upperBound) s (acdirmax=\(o.acdirmax)), within the \(targetDelay) s target")
        case (false, .positive):
            add(.ok, "negative-lookup", "lookupcache", "pos", "misses are not cached: another node's new files are seen at once, for one LOOKUP per failed lookup")
        case (false, .none):
            add(.info, "negative-lookup", "lookupcache", "none", "nothing is cached: always correct, but every path component costs a LOOKUP", fix: "lookupcache=pos is enough for new files")
        }

        // Very long attribute caching.
        for (name, value) in [("acregmax", o.acregmax), ("acdirmax", o.acdirmax)] where value > 60 && !o.noac {
            add(.warn, "attribute-cache", name, String(value),
                "attributes (size, mtime, owner) changed on another node can look unchanged here for up to \(value) s",
                fix: "\(name)=60 or less (\(remount))")
        }

        // Transport.
        if o.proto.hasPrefix("udp") {
            add(.warn, "transport", "proto", o.proto,
                "UDP: lost datagrams cost a whole timeo before retransmission, and fragment reassembly can corrupt data at high rates",
                fix: "proto=tcp")
        }
        for (name, size) in [("rsize", o.rsize), ("wsize", o.wsize)] {
            if let size, size < 32768 {
                add(.warn, "transfer-size", name, String(size),
                    "\(name)=\(size): large files (packages, session data) take many more RPCs than needed",
                    fix: "remove \(name) to let client and server negotiate (usually 1 MiB)")
            }
        }
        return out
    }
}
