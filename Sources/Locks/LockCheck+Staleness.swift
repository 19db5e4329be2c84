import PositConfig
import Check
import FoundationGaps
import FoundationEssentials
import Mounts
import NFSModel
import Reports
import ServerView

extension LockCheck {
    /// The staleness arithmetic (see `LockStaleness`) from Workbench's settings, the attribute delay
    /// measured by the probe (else the mount's acregmax) and the server's clock read now.
    static func computeStaleness(_ r: LockRequest, _ place: LockPlace, into report: inout LockReport) async {
        let settings = r.fileLocks
        let (staleness, source) = attributeStaleness(r, place.options)
        let name = TemporaryName.make(purpose: purpose, node: r.node)
        let offset = try? await place.server.readNewFile(place.serverPath(name)).clock?.offsetSeconds  // nil: unknown
        let result = LockStaleness(lockType: settings.lockType, timeoutInterval: settings.timeoutInterval,
                                   refreshRate: settings.refreshRate, attributeStalenessSeconds: staleness,
                                   stalenessSource: source, clockOffsetSeconds: offset)
        report.staleness = result
        guard result.hazard else { return }
        let applies = settings.lockType == .linkbased
        report.add(applies ? .warn : .info, "lock-staleness", staleMessage(result) + (applies ? "" :
                   " (this node uses advisory locks, which do not time out this way)"), fix: staleFix(result, place))
    }

    /// The longest another node may see an old mtime: measured when given, else acregmax (noac: 0).
    static func attributeStaleness(_ r: LockRequest, _ options: NFSMountOptions?) -> (Double, String) {
        if let measured = r.measuredAttributeDelay { return (measured, "measured") }
        guard let options else { return (0, "not NFS") }
        return (options.noac ? 0 : Double(options.acregmax), "acregmax")
    }

    static func staleMessage(_ s: LockStaleness) -> String {
        let offset = s.clockOffsetSeconds.map { String(printf: " + clock offset %.1f s", abs($0)) } ?? ""
        return String(printf: "another node can judge a held link-based lock stale and take it: refresh-rate %g s "
                      + "+ attribute staleness %g s", s.refreshRate, s.attributeStalenessSeconds)
            + " (\(s.stalenessSource))\(offset)"
            + String(printf: " = %.1f s ≥ timeout-interval %g s", s.worstApparentAgeSeconds, s.timeoutInterval)
    }

    static func staleFix(_ s: LockStaleness, _ place: LockPlace) -> String {
        let timeout = Int((s.worstApparentAgeSeconds + 10).rounded(.up))
        let room = Int((s.timeoutInterval - s.refreshRate - abs(s.clockOffsetSeconds ?? 0)).rounded(.down)) - 1
        let acregmax = room >= 1 && place.options != nil
            ? " or mount \(place.location.mount.mountPoint) with acregmax=\(room) (umount, mount)" : ""
        return "set timeout-interval=\(timeout) in /etc/rstudio/file-locks on every node" + acregmax
    }
}
