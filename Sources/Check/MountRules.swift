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
        func add(
            _ severity: Severity, _ rule: Rule, _ option: String?, _ value: String?,
            _ message: String, fix: String? = nil
        ) {
            out.append(Finding(severity, rule, subject: mountPoint, option: option, value: value, message, fix: fix))
        }
        let remount = "umount and mount again; a remount cannot change this option"

        // NFS version.
        switch o.version {
        case nil:
            add(
                .info, "nfs-version", "vers", nil,
                "the NFS version is not shown; assume whatever the client and server negotiated")
        case let v? where o.majorVersion == 2:
            add(
                .crit, "nfs-version", "vers", v, "NFSv2 has 32-bit sizes and no safe asynchronous writes",
                fix: "vers=4.2 (or vers=3)")
        case let v? where o.majorVersion == 3:
            add(
                .info, "nfs-version", "vers", v,
                "NFSv3: locks go through NLM, so rpc.statd must run on every node; new files are detected by the "
                + "directory's mtime, at the server's timestamp granularity"
            )
        case let v? where v == "4" || v == "4.0":
            add(
                .info, "nfs-version", "vers", v,
                "NFSv4.0 has no sessions: replays after a lost reply are not exactly-once",
                fix: "vers=4.2 if the server supports it")
        case let v?:
            add(.ok, "nfs-version", "vers", v, "NFSv\(v): sessions, in-protocol locking, change attributes")
        }

        // The option conditions advise also fixes: one table for both.
        func apply(_ rules: [OptionRule]) {
            for rule in rules {
                for v in rule.judge(o) { add(v.severity, rule.rule, v.option, v.value, v.message, fix: v.fix) }
            }
        }
        apply(OptionRule.beforeVisibility)

        // The negative-lookup window: the delay this product exists for.
        let window = o.negativeLookupWindow
        let windowText = DelayWindow(window).range
        switch (o.noac, o.lookupcache) {
        case (true, _):
            add(.ok, "negative-lookup", "noac", nil, "misses are revalidated at once (noac)")
        case (false, .all) where window.upperBound > targetDelay:
            add(
                .warn, "negative-lookup", "lookupcache", "all",
                "a file another node creates under a name this node already looked up stays invisible for "
                + "\(windowText) (acdirmin=\(o.acdirmin), acdirmax=\(o.acdirmax)): Package Manager and the Job "
                + "Launcher miss new files",
                fix: "lookupcache=pos, or acdirmax=\(targetDelay) where misses must stay cached (\(remount))")
        case (false, .all):
            add(
                .ok, "negative-lookup", "lookupcache", "all",
                "misses are cached for at most \(window.upperBound) s (acdirmax=\(o.acdirmax)), within the "
                + "\(targetDelay) s target"
            )
        case (false, .positive):
            add(
                .ok, "negative-lookup", "lookupcache", "pos",
                "misses are not cached: another node's new files are seen at once, for one LOOKUP per failed lookup")
        case (false, .none):
            add(
                .info, "negative-lookup", "lookupcache", "none",
                "nothing is cached: always correct, but every path component costs a LOOKUP",
                fix: "lookupcache=pos is enough for new files")
        }

        // Very long attribute caching.
        for (name, value) in [("acregmax", o.acregmax), ("acdirmax", o.acdirmax)] where value > 60 && !o.noac {
            add(
                .warn, "attribute-cache", name, String(value),
                "attributes (size, mtime, owner) changed on another node can look unchanged here for up to \(value) s",
                fix: "\(name)=60 or less (\(remount))")
        }

        apply(OptionRule.afterVisibility)
        return out
    }
}
