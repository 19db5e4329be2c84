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
        // The option conditions advise also fixes come from one table; the visibility rule here needs the
        // target delay.
        func findings(_ rules: [OptionRule]) -> [Finding] {
            rules.flatMap { rule in
                rule.judge(o).map {
                    Finding($0.severity, rule.rule, subject: mountPoint, option: $0.option, value: $0.value,
                            $0.message, fix: $0.fix)
                }
            }
        }
        return findings(OptionRule.beforeVisibility) + negativeLookup(mountPoint, o)
            + findings(OptionRule.afterVisibility)
    }

    /// The negative-lookup window: the delay this product exists for.
    func negativeLookup(_ mountPoint: String, _ o: NFSMountOptions) -> [Finding] {
        func finding(_ severity: Severity, option: String, value: String?, _ message: String,
                     fix: String? = nil) -> [Finding] {
            [Finding(severity, "negative-lookup", subject: mountPoint, option: option, value: value, message, fix: fix)]
        }
        let window = o.negativeLookupWindow
        switch (o.noac, o.lookupcache) {
        case (true, _):
            return finding(.ok, option: "noac", value: nil, "misses are revalidated at once (noac)")
        case (false, .all) where window.upperBound > targetDelay:
            return finding(
                .warn, option: "lookupcache", value: "all",
                "a file another node creates under a name this node already looked up stays invisible for "
                    + "\(DelayWindow(window).range) (acdirmin=\(o.acdirmin), acdirmax=\(o.acdirmax)): Package "
                    + "Manager and the Job Launcher miss new files",
                fix: "lookupcache=pos, or acdirmax=\(targetDelay) where misses must stay cached "
                    + "(\(OptionRule.remount))")
        case (false, .all):
            return finding(
                .ok, option: "lookupcache", value: "all",
                "misses are cached for at most \(window.upperBound) s (acdirmax=\(o.acdirmax)), within the "
                    + "\(targetDelay) s target")
        case (false, .positive):
            return finding(
                .ok, option: "lookupcache", value: "pos",
                "misses are not cached: another node's new files are seen at once, for one LOOKUP per failed lookup")
        case (false, .none):
            return finding(
                .info, option: "lookupcache", value: "none",
                "nothing is cached: always correct, but every path component costs a LOOKUP",
                fix: "lookupcache=pos is enough for new files")
        }
    }
}
