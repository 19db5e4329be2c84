import Check
import FoundationGaps
import Mounts
import Reports

/// What the shared directory is for: decides how visibility is bought.
public enum Role: String, CaseIterable, Codable, Sendable {
    /// Package Manager's DataDir: polls for files by name; misses must not be cached.
    case packageManager = "package-manager"
    /// Workbench's launcher scratch: job output files another node wrote.
    case workbenchScratch = "workbench-scratch"
    /// Home directories: many lookups of names that do not exist (R's library paths, dotfiles),
    /// where caching misses is worth keeping, bounded.
    case workbenchHome = "workbench-home"
    case generic
}

/// A recommendation for one mount: options to set and to drop, the delay before and after, the
/// cost, the edited declaration and the steps. Never changes anything itself.
public struct Advice: Codable, Sendable {
    public var mountPoint: String
    public var role: Role
    public var targetDelaySeconds: Int
    public var set: [String] = []
    public var remove: [String] = []
    public var reasons: [String] = []
    public var delayBefore: DelayWindow
    public var delayAfter: DelayWindow
    /// Measured p95 of the negative-lookup delay, when a probe ran.
    public var measuredP95Seconds: Double?
    public var cost: [String] = []
    public var declaration: EditedDeclaration?
    public var steps: [String] = []

    public var changesNothing: Bool { self.set.isEmpty && remove.isEmpty }
}

/// The administrator's declaration with the advice applied, every other option kept in place.
public struct EditedDeclaration: Codable, Sendable, Hashable {
    public var origin: DeclaredMount.Origin
    public var file: String
    public var line: Int?
    public var before: String
    public var after: String
}

public enum Advisor {
    /// Long: the advice is assembled in the order it is printed: changes, delay after, cost, steps.
    public static func advise(
        mountPoint: String, options o: NFSMountOptions, declared: [DeclaredMount], role: Role,
        targetDelay: Int, measuredP95: Double? = nil, probeCost: (lookup: Double, getattr: Double)? = nil
    ) -> Advice {
        var a = Advice(
            mountPoint: mountPoint, role: role, targetDelaySeconds: targetDelay,
            delayBefore: .init(o.negativeLookupWindow), delayAfter: .init(o.negativeLookupWindow),
            measuredP95Seconds: measuredP95)

        // Visibility of other nodes' new files: the reason nfskeeper exists (noac: in the table below).
        if !o.noac && o.lookupcache == .all && o.negativeLookupWindow.upperBound > targetDelay {
            if role == .workbenchHome {
                let min = Swift.min(o.acdirmin, targetDelay)
                a.set += ["acdirmin=\(min)", "acdirmax=\(targetDelay)"]
                a.reasons.append(
                    "home directories look up many missing names; keep caching misses, but for at "
                        + "most \(targetDelay) s (acdirmax)")
            } else {
                a.set.append("lookupcache=pos")
                a.reasons.append(
                    "\(role.rawValue): a file another node creates must be found by name at once; "
                        + "lookupcache=pos stops caching misses")
            }
        }
        // Every other condition check reports, changed as its rule says.
        for verdict in OptionRule.table.flatMap({ $0.judge(o) }) where verdict.change != OptionChange() {
            a.set += verdict.change.set
            a.remove += verdict.change.remove
            a.reasons.append(verdict.reason)
        }

        let after = apply(a, to: o)
        a.delayAfter = .init(after.negativeLookupWindow)
        if a.set.contains("lookupcache=pos") {
            a.cost.append("one LOOKUP for each lookup of a missing name (it is no longer answered from the cache)")
        }
        if a.set.contains(where: { $0.hasPrefix("acdirmax=") }) {
            a.cost.append(
                "a GETATTR of each directory in use at least every \(targetDelay) s instead of every \(o.acdirmax) s")
        }
        if a.remove.contains("noac") {
            a.cost.append("far fewer GETATTRs than now (attributes cached again for acregmin..acregmax)")
        }
        if let probeCost {
            a.cost.append(
                String(printf: "measured now: %.1f LOOKUP and %.1f GETATTR per probe sample",
                       probeCost.lookup, probeCost.getattr))
        }
        guard !a.changesNothing else { return a }

        if let d = declared.first {
            a.declaration = EditedDeclaration(
                origin: d.origin, file: d.file, line: d.line, before: d.text,
                after: editedText(d, set: a.set, remove: a.remove))
        }
        a.steps = steps(
            mountPoint: mountPoint, declared: declared.first,
            changesCache: a.set.contains { $0.hasPrefix("lookupcache") || $0.hasPrefix("ac") }
                || a.remove.contains("noac"))
        return a
    }

    /// The effective options once the advice is applied.
    static func apply(_ a: Advice, to o: NFSMountOptions) -> NFSMountOptions {
        var after = o
        if a.remove.contains("noac") {
            after.noac = false
            after.sync = false
            (after.acregmin, after.acregmax, after.acdirmin, after.acdirmax) = (3, 60, 30, 60)
        }
        let text = a.set.joined(separator: ",")
        let changed = NFSMountOptions(parsing: text)
        for option in changed.explicit {
            switch option {
            case "lookupcache": after.lookupcache = changed.lookupcache
            case "acdirmin": after.acdirmin = changed.acdirmin
            case "acdirmax": after.acdirmax = changed.acdirmax
            case "hard": after.recovery = .hard
            case "proto": after.proto = changed.proto
            default: break
            }
        }
        if a.remove.contains("nocto") { after.cto = true }
        return after
    }
}
