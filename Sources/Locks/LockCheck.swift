import PositConfig
import Check
import FoundationEssentials
import Glibc
import KernelView
import Mounts
import Reports
import ServerView
import SystemPackage

/// Measures whether locks on the share hold across nodes. This node's kernel plays itself; the
/// server view plays another node (over NFSv4, the only version libnfs 4.0.0 locks with; the server's
/// lock manager is one for NLM and NFSv4, so a v4 lock conflicts with a v3 node's NLM lock).
///
/// It works in `<share>/.nfskeeper/locks` with files named `TemporaryName` "locks" (unique to node
/// and process), removes them on every path, SIGINT and SIGTERM included (the caller cancels the
/// task; each step checks), and removes a killed run's leftovers first. Every kernel call has the
/// deadline, every server call the session timeout: a hung mount is a finding.
public enum LockCheck {
    static let directory = ".nfskeeper/locks"
    static let purpose = "locks"

    public static func run(_ request: LockRequest) async -> LockReport {
        let clock = ContinuousClock()
        let started = clock.now
        var report = LockReport(share: request.share)
        report.fileLocksPath = request.fileLocksPath
        for problem in request.fileLocks.problems {
            report.add(.warn, "file-locks", "\(request.fileLocksPath ?? "file-locks"): \(problem)")
        }
        await measure(request, into: &report)
        report.wallSeconds = (clock.now - started).seconds
        report.severity = report.findings.worst
        return report
    }

    static func measure(_ r: LockRequest, into report: inout LockReport) async {
        let kernel = KernelView(timeout: r.timeout)
        guard let place = await LockPlace.prepare(r, kernel, into: &report) else { return }
        if !Task.isCancelled { await measureAdvisory(r, place, into: &report) }
        if !Task.isCancelled { await measureLinkBased(r, place, into: &report) }
        if !Task.isCancelled { await computeStaleness(r, place, into: &report) }
    }
}

/// Where the checks work: the locks directory, open on this node and known on the server.
struct LockPlace: Sendable {
    let location: ServerLocation
    let options: NFSMountOptions?
    let server: ServerView
    let node: DirectoryHandle
    /// The locks directory's path inside the export.
    let serverDirectory: String

    func serverPath(_ name: String) -> String { serverDirectory + "/" + name }

    /// Locates the share, connects the server view, makes `.nfskeeper/locks` (mode 0755) where
    /// missing, removes this node's killed runs' files there, and opens it on this node.
    static func prepare(_ r: LockRequest, _ kernel: KernelView, into report: inout LockReport) async -> LockPlace? {
        let location: ServerLocation
        let located = r.location.map { .success($0) }
            ?? ServerLocation.locate(r.share, kernel: kernel, mountInfoPath: r.mountInfoPath, server: r.server,
                                     allowNonNFS: r.allowNonNFS)
        switch located {
        case .success(let found): location = found
        case .failure(let failure):
            report.add(.crit, failure.rule, failure.description)
            return nil
        }
        report.mountPoint = location.mount.mountPoint
        report.fsType = location.mount.fsType
        report.serverURL = location.url.description
        let options = location.mount.isNFS
            ? NFSMountOptions(parsing: location.mount.superOptions, fsType: location.mount.fsType) : nil
        report.options = options?.summary
        let server: ServerView
        do { server = try await ServerView.connect(location.url, as: r.credentials, timeout: r.timeout) } catch {
            report.add(.crit, "server", "the server view failed: \(error)",
                       fix: "check with: nfskeeper server '\(location.url)'")
            return nil
        }
        let serverDirectory = MountTable.normalize(location.path + "/" + LockCheck.directory)
        let levels = [MountTable.normalize(location.path + "/.nfskeeper"), serverDirectory]
        if let problem = await server.ensureDirectories(levels, mode: FilePermissions(rawValue: 0o755)) {
            report.add(.crit, "lock-directory", problem)
            return nil
        }
        report.leftoversRemoved = await server.removeLeftovers(in: serverDirectory, purpose: LockCheck.purpose,
                                                               node: r.node)
        let kernelPath = MountTable.normalize(r.share + "/" + LockCheck.directory)
        switch kernel.openDirectoryNoFollow(kernelPath) {
        case .success(let handle):
            return LockPlace(location: location, options: options, server: server, node: handle,
                             serverDirectory: serverDirectory)
        case .timedOut:
            report.add(.crit, "hung", "\(kernelPath) did not open within \(r.timeout)")
        case .failure(let e):
            report.add(.crit, "lock-directory", "\(kernelPath): \(e.description)")
        }
        return nil
    }

    /// Whether the kernel's file and the server's are one: same fileid on NFS (a FUSE view numbers its own).
    func sameFile(_ kernelInode: UInt64, _ serverFileid: UInt64) -> Bool {
        !location.mount.isNFS || kernelInode == serverFileid
    }
}
