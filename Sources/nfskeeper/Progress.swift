import NFSModel
import FoundationGaps
import FoundationEssentials
import Probe

/// A one-line status on standard error while a step waits, erased when it is done.
/// Only on a terminal: logs and pipes get nothing.
struct Progress: Sendable {
    var enabled: Bool

    func show(_ text: String) {
        guard enabled else { return }
        writeStandardError("\r\u{1B}[K\(text)")
    }

    /// The probe's bar: `label [####......] 12 s of ~30 s, 3/8 samples` (`of at most 14 s` when the options
    /// predict nothing and max-wait is the plan's only bound).
    func showProbe(_ label: String, _ p: ProbeProgress) {
        let fraction = min(1, p.elapsed.seconds / max(0.001, p.expected.seconds))
        let filled = Int(fraction * 30)
        let of = (p.isBound ? "at most " : "~") + "\(Int(p.expected.seconds.rounded(.up))) s"
        show(label + " [" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
             + "] \(Int(p.elapsed.seconds)) s of \(of), \(p.done)/\(p.total) samples")
    }

    func clear() {
        guard enabled else { return }
        writeStandardError("\r\u{1B}[K")
    }
}
