import NFSModel
import Mounts
import Reports

extension CheckReport {
    /// For people: one block per mount, as `nfsstat -m` prints them, then its findings.
    public func textReport(color: Bool = Terminal.isColorful, verbose: Bool = false) -> String {
        var blocks: [String] = []
        for mount in mounts {
            var head = mount.mountPoint ?? mount.path
            if let source = mount.source { head += " from " + source }
            if let type = mount.fsType { head += " (\(type))" }
            if mount.mountPoint != nil && mount.path != mount.mountPoint { head = mount.path + " on " + head }
            var facts: [(String, TextTable.Cell)] = []
            if let live = mount.liveOptions { facts.append(("Flags", TextTable.Cell(live))) }
            if let o = mount.effective { facts.append(("Effective", TextTable.Cell(o.summary))) }
            if let w = mount.negativeLookupWindow {
                facts.append(
                    ("Seen-missing name visible", TextTable.Cell(w.shown, severity: w.maxSeconds > 5 ? .warn : .ok)))
            }
            for d in mount.declared {
                facts.append(
                    ("Declared", TextTable.Cell("\(d.line.map { "\(d.file):\($0)" } ?? d.file): \(d.options)")))
            }
            if let url = mount.serverURL { facts.append(("Server view", TextTable.Cell(url.description))) }
            let shown = verbose ? mount.findings : mount.findings.filter { $0.severity != .ok }
            var block = Terminal.paint(head, severity: nil, bold: true, color: color)
            if !facts.isEmpty {
                let facts = keyValueBlock(facts, color: color, width: Terminal.width.map { $0 - 2 })
                block += "\n" + facts.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
            }
            block += "\n\n" + findingsTable(shown, color: color)
            blocks.append(block)
        }
        if !findings.isEmpty { blocks.append(findingsTable(findings, color: color)) }
        if !warnings.isEmpty {
            blocks.append("skipped input:\n" + warnings.map { "  " + $0 }.joined(separator: "\n"))
        }
        return blocks.joined(separator: "\n\n")
    }
}

extension NFSMountOptions {
    /// The options that decide consistency and cost, defaults included, in mount(8) spelling.
    public var summary: String {
        var parts: [String] = []
        if let version { parts.append("vers=\(version)") }
        parts.append(recovery.rawValue)
        parts.append("proto=\(proto)")
        parts.append("lookupcache=\(lookupcache.rawValue)")
        if noac { parts.append("noac") }
        parts.append("acregmin=\(acregmin),acregmax=\(acregmax),acdirmin=\(acdirmin),acdirmax=\(acdirmax)")
        parts.append(cto ? "cto" : "nocto")
        parts.append(lock ? "lock" : "nolock")
        if localLock != "none" { parts.append("local_lock=\(localLock)") }
        if sync { parts.append("sync") }
        return parts.joined(separator: ",")
    }
}
