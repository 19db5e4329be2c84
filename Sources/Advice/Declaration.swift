import FoundationGaps
import Mounts

extension Advisor {
    /// The option list with `remove` dropped (by name, any value) and `set` put in: replacing an
    /// option of the same name where it stood, else appended. Everything else keeps its place.
    public static func edit(options: String, set: [String], remove: [String]) -> String {
        let setNames = set.map { String($0.split(separator: "=", maxSplits: 1)[0]) }
        let drop = Set(remove + ["actimeo"].filter { _ in setNames.contains { $0.hasPrefix("ac") } })
        var out: [String] = []
        var placed = Set<String>()
        for item in options.split(separator: ",").map(String.init) where item != "defaults" || options == "defaults" {
            let name = String(item.split(separator: "=", maxSplits: 1)[0])
            if let i = setNames.firstIndex(of: name) {
                if !placed.contains(name) { out.append(set[i]); placed.insert(name) }
            } else if drop.contains(name) || (name == "soft" || name == "softerr") && setNames.contains("hard") {
                continue
            } else if name == "defaults" && !set.isEmpty {
                continue
            } else {
                out.append(item)
            }
        }
        for (i, name) in setNames.enumerated() where !placed.contains(name) { out.append(set[i]) }
        return out.isEmpty ? "defaults" : out.joined(separator: ",")
    }

    /// The declaring line or unit setting, rewritten.
    static func editedText(_ d: DeclaredMount, set: [String], remove: [String]) -> String {
        let options = edit(options: d.options, set: set, remove: remove)
        switch d.origin {
        case .systemd:
            return "Options=" + options
        case .fstab:
            // Replace the fourth field, keeping the line's own spacing.
            return replaceField(d.text, index: 3, with: options)
        case .autofs:
            // The entry's own "-options" field; master-map options are kept by autofs itself.
            let fields = d.text.split(whereSeparator: { $0 == " " || $0 == "\t" })
            let entryOptions = fields.count >= 3 && fields[1].hasPrefix("-") ? String(fields[1].dropFirst()) : ""
            let edited = edit(options: entryOptions.isEmpty ? "" : entryOptions, set: set, remove: remove)
            if fields.count >= 3 && fields[1].hasPrefix("-") {
                return replaceField(d.text, index: 1, with: "-" + edited)
            }
            return String(fields[0]) + "  -" + edited + "  " + fields.dropFirst().joined(separator: " ")
        }
    }

    static func replaceField(_ line: String, index: Int, with value: String) -> String {
        var result = ""
        var field = -1
        var inField = false
        var replaced = false
        for c in line {
            let blank = c == " " || c == "\t"
            if !blank && !inField { field += 1; inField = true }
            if blank { inField = false }
            if field == index && inField {
                if !replaced { result += value; replaced = true }
                continue
            }
            result.append(c)
        }
        return replaced ? result : line
    }

    /// A path as a shell word: single-quoted when it holds anything but safe characters.
    static func shellQuoted(_ path: String) -> String {
        let safe = path.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:@%".contains($0) }
        return safe ? path : "'" + path.replacingEvery("'", with: "'\\''") + "'"
    }

    static func steps(mountPoint rawPoint: String, declared: DeclaredMount?, changesCache: Bool) -> [String] {
        let mountPoint = shellQuoted(rawPoint)
        var steps: [String] = []
        switch declared?.origin {
        case .fstab?:
            steps.append("edit \(declared!.file)\(declared!.line.map { ":\($0)" } ?? "") as shown")
            steps.append(
                "stop what uses \(mountPoint) (rstudio-server, rstudio-launcher, rstudio-pm), then: umount "
                + "\(mountPoint) && mount \(mountPoint)"
            )
        case .systemd?:
            let unit = declared!.file.split(separator: "/").last.map(String.init) ?? "the unit"
            steps.append("edit \(declared!.file) as shown, then: systemctl daemon-reload")
            steps.append("stop what uses \(mountPoint), then: systemctl restart \(unit)")
        case .autofs?:
            steps.append("edit \(declared!.file)\(declared!.line.map { ":\($0)" } ?? "") as shown")
            steps.append(
                "stop what uses \(mountPoint), then: umount \(mountPoint) (autofs mounts it anew, with the new "
                + "options, on the next access)"
            )
        case nil:
            steps.append("declare \(mountPoint) in /etc/fstab with these options (it is mounted by hand now)")
            steps.append("stop what uses \(mountPoint), then: umount \(mountPoint) && mount \(mountPoint)")
        }
        if changesCache {
            steps.append(
                "a remount (mount -o remount) cannot change lookupcache or ac*: the kernel refuses it; it must be "
                + "a full umount and mount"
            )
        }
        steps.append("verify: nfskeeper check \(mountPoint) && nfskeeper probe \(mountPoint)")
        return steps
    }
}
