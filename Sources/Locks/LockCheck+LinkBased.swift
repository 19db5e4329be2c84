import KernelView
import NFSModel
import PositConfig
import Reports
import ServerView
import SystemPackage

extension LockCheck {
    /// A Workbench link-based lock, as Workbench makes one: a unique file, hard-linked to the lock's
    /// name; then the link count here (2), and the same file with 2 links in the server view, the
    /// other node's lookup (the server view caches nothing).
    static func measureLinkBased(_ r: LockRequest, _ place: LockPlace, into report: inout LockReport) async {
        let unique = TemporaryName.make(purpose: purpose, node: r.node)
        let lockName = TemporaryName.make(purpose: purpose, node: r.node)
        switch place.node.createFile(unique, mode: 0o644) {
        case .success: break  // closed at once: the lock is the name, not the open file
        case .timedOut: return report.add(.crit, "hung", "creating \(unique) did not return within \(r.timeout)")
        case .failure(let e): return report.add(.crit, "lock-directory", "cannot create \(unique) here: \(e)")
        }
        defer {
            removeNodeFile(place, lockName, into: &report)
            removeNodeFile(place, unique, into: &report)
        }
        let result = await link(r, place, unique, lockName)
        report.linkBased = result
        judge(result, r.fileLocks, into: &report)
    }

    /// What a filer without hard links answers link(2) with.
    static let linkRefusals: Set<Errno> = [.notPermitted, .notSupported, .tooManyLinks, .improperLink]

    static func link(_ r: LockRequest, _ place: LockPlace, _ unique: String,
                     _ lockName: String) async -> LinkLockResult {
        switch place.node.link(unique, as: lockName) {
        case .success: break
        case .timedOut: return LinkLockResult(verdict: .notSeen, detail: "link(2) did not return within \(r.timeout)")
        case .failure(let e) where linkRefusals.contains(e):
            return LinkLockResult(verdict: .refused, detail: "link(2) failed: \(e)")
        case .failure(let e): return LinkLockResult(verdict: .notSeen, detail: "link(2) failed: \(e)")
        }
        guard case .success(let here?) = place.node.status(of: unique) else {
            return LinkLockResult(verdict: .notSeen, detail: "the unique file vanished after link(2)")
        }
        let there: NFSAttributes
        do { there = try await place.server.stat(place.serverPath(lockName)) } catch {
            return LinkLockResult(verdict: .notSeen, linksOnNode: here.links,
                                  detail: "another node's lookup of the lock's name failed: \(error)")
        }
        let same = place.sameFile(here.inode, there.fileid)
        let works = here.links == 2 && there.links == 2 && same && there.type == .regular
        return LinkLockResult(
            verdict: works ? .works : .notSeen, linksOnNode: here.links, linksOnServer: there.links,
            detail: works ? "the link shows as the same file with 2 links here and to another node"
                : "links here \(here.links), to another node \(there.links)" + (same ? "" : ", and not the same file"))
    }

    static func judge(_ result: LinkLockResult, _ settings: FileLocksSettings, into report: inout LockReport) {
        let linkBased = settings.lockType == .linkbased && !settings.useSymlinks
        switch result.verdict {
        case .works: return
        case .refused:
            report.add(linkBased ? .crit : .warn, "hardlinks",
                       "this share refuses hard links (\(result.detail)): Workbench's link-based locks "
                       + (linkBased ? "(lock-type=linkbased, this node's setting) fail with \"No locks available\""
                                    : "would fail here; this node uses \(settings.lockType.rawValue) locks"),
                       fix: "set lock-type=advisory in /etc/rstudio/file-locks on every node; advisory locks need "
                           + "locks the server arbitrates (the advisory check above must say coherent)")
        case .notSeen:
            report.add(.crit, "link-not-seen", "a link-based lock made here is not seen as such by another node: "
                       + result.detail, fix: "check the share's server and mount: nfskeeper check \(report.share)")
        }
    }
}
