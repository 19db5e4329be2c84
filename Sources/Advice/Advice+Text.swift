import Mounts
import Reports

extension Advice {
    public func textReport(color: Bool = Terminal.isColorful) -> String {
        var lines = [
            Terminal.paint(
                "\(mountPoint) (\(role.rawValue), target \(targetDelaySeconds) s)", severity: nil, bold: true,
                color: color)
        ]
        let measured = measuredP95Seconds.map { " (measured p95 \(formatSeconds($0)))" } ?? ""
        lines.append("  Seen-missing name visible:  \(delayBefore.shown)\(measured) → \(delayAfter.shown)")
        if changesNothing {
            lines.append("  " + Terminal.paint("nothing to change", severity: .ok, bold: false, color: color))
            return lines.joined(separator: "\n")
        }
        if !self.set.isEmpty { lines.append("  Set:     " + self.set.joined(separator: ",")) }
        if !remove.isEmpty { lines.append("  Remove:  " + remove.joined(separator: ",")) }
        lines += reasons.map { Terminal.hanging("  Why:     ", $0) }
        lines += cost.map { Terminal.hanging("  Cost:    ", $0) }
        if let d = declaration {
            lines.append("  " + Terminal.visible("\(d.file)\(d.line.map { ":\($0)" } ?? ""):"))
            lines.append("    " + Terminal.paint("- " + d.before, severity: .crit, bold: false, color: color))
            lines.append("    " + Terminal.paint("+ " + d.after, severity: .ok, bold: false, color: color))
        }
        lines.append("  Steps:")
        lines += steps.enumerated().map { Terminal.hanging("    \($0.offset + 1). ", $0.element) }
        return lines.joined(separator: "\n")
    }
}
