import Check
import Foundation
import KernelView
import Mounts
import Reports
import ServerView

/// Creates and verifies the launcher's scratch directory `<share>/<cluster>` on the shared export.
///
/// Order of work: accounts, the share (opened without following any symlink), its mount, the
/// server view and root squash, then a plan; then, unless a dry run, the changes; then both views
/// are read back and compared. Anything that fails before the plan changes nothing.
public struct Provisioner {
    var request: ProvisionRequest
    var result: ProvisionResult
    let kernel: KernelView

    public static func run(_ request: ProvisionRequest) async -> ProvisionResult {
        var p = Provisioner(request: request,
                            result: ProvisionResult(path: request.scratchPath, mode: octal(request.mode), dryRun: request.dryRun),
                            kernel: KernelView(timeout: request.timeout))
        await p.provision()
        return p.result
    }

    mutating func fail(_ rule: String, _ message: String, fix: String? = nil) {
        result.findings.append(Finding(.crit, rule, subject: result.path, message, fix: fix))
    }

    mutating func note(_ severity: Severity, _ rule: String, _ message: String, fix: String? = nil) {
        result.findings.append(Finding(severity, rule, subject: result.path, message, fix: fix))
    }

    mutating func provision() async {
        // Ownership on shared storage is root's business, on the kernel side and over AUTH_SYS alike.
        guard geteuid() == 0 else {
            return fail("privileges", "provisioning sets owners on shared storage: run it as root (this process is uid \(getuid()))")
        }
        // 1. Who should own it, as this node's name service knows them.
        guard let (owner, primaryGroup) = Accounts.user(request.owner) else {
            return fail("owner", "user \(request.owner) does not exist on this node", fix: "create the user (install Workbench) or pass --owner")
        }
        let group: Account
        if let name = request.group {
            guard let g = Accounts.group(name) else { return fail("group", "group \(name) does not exist on this node") }
            group = g
        } else {
            group = Account(name: Accounts.groupName(primaryGroup) ?? String(primaryGroup), id: primaryGroup)
        }
        result.owner = owner
        result.group = group

        // 2. The share, opened one component at a time without following symlinks.
        guard request.cluster.firstIndex(where: { $0 == "/" }) == nil, !["", ".", ".."].contains(request.cluster) else {
            return fail("cluster", "the cluster name '\(request.cluster)' must be a single path component")
        }
        let normalizedShare = MountTable.normalize(request.share)
        let share: DirectoryHandle
        switch kernel.openDirectoryNoFollow(normalizedShare) {
        case .success(let h): share = h
        case .timedOut: return fail("hung", "\(normalizedShare) does not answer within \(request.timeout): is the NFS server down?")
        case .failure(.tooManySymbolicLinkLevels), .failure(.notDirectory):
            return fail("symlink", "\(normalizedShare) is, or passes through, a symlink or a non-directory: refused, nothing followed",
                        fix: "give the real path of the share")
        case .failure(let errno): return fail("share", "\(normalizedShare): \(errno.description)", fix: "mount the share on this node")
        }

        // 3. Its mount: NFS (unless allowed otherwise) and writable, and where it is on the server.
        let mountInfo = MountInfo(parsing: request.mountInfoText ?? (readWholeFile("/proc/self/mountinfo") ?? ""))
        let shareStatus = share.status().value
        let device = shareStatus.map { (major: $0.deviceMajor, minor: $0.deviceMinor) }
        let location: ServerLocation
        switch ServerLocation.resolve(normalizedShare, in: MountTable(mountInfo), device: device,
                                      server: request.server, allowNonNFS: request.allowNonNFS) {
        case .success(let l): location = l
        case .failure(.notNFS(let m)):
            return fail("not-nfs", "\(normalizedShare) is on \(m.fsType) (\(m.source)), not NFS: a scratch directory there is not shared between nodes",
                        fix: "mount the NFS share at \(normalizedShare)")
        case .failure(let failure): return fail("share", failure.description)
        }
        if location.mount.isReadOnly {
            return fail("read-only", "\(location.mount.mountPoint) is mounted read-only on this node", fix: "mount it read-write")
        }

        // 4. The server view: root squash.
        let (url, sharePath) = (location.url, location.path)
        let scratchPath = MountTable.normalize(sharePath + "/" + request.cluster)
        result.serverURL = url.description
        result.serverPath = scratchPath
        let rootView: ServerView
        do {
            rootView = try await ServerView.connect(url, as: .root, timeout: request.timeout)
            guard try await rootView.stat(sharePath).type == .directory else {
                return fail("server", "\(sharePath) on \(url.serverAndExport) is not a directory: --server names another export?")
            }
        } catch {
            return fail("server", "the server view failed: \(error.description)", fix: "check with: nfskeeper server '\(url)'")
        }
        guard let squashed = await probeRootSquash(rootView, sharePath) else { return }
        result.rootSquashed = squashed

        // 5. Plan and act.
        await reconcile(share: share, serverPath: scratchPath, url: url, root: rootView, squashed: squashed)
        guard !result.findings.contains(where: { $0.severity == .crit }) else { return }

        // 6. Both views, read back; then the launcher's configuration.
        if !request.dryRun || result.actions.isEmpty { await verify(serverPath: scratchPath, root: rootView) }
        configure()
        result.changed = result.actions.contains { $0.done }
    }

    /// Creates a uniquely named file as uid 0 in the share through the server view and reads its
    /// owner back: 0 means root is trusted; anything else (or EACCES) means squashed.
    /// nil (with a finding) when the export cannot be written at all.
    mutating func probeRootSquash(_ view: ServerView, _ dir: String) async -> Bool? {
        let name = MountTable.normalize(dir + "/" + TemporaryName.make(purpose: "provision", node: request.node))
        do {
            try await view.createExclusive(name, mode: [.ownerReadWrite])
        } catch where error.errno == .readOnlyFileSystem {
            fail("read-only", "the export is read-only (EROFS): the scratch directory cannot be created", fix: "export it read-write")
            return nil
        } catch where error.errno == .permissionDenied {
            return true
        } catch {
            fail("server", "could not write in \(dir) through the server view: \(error.description)")
            return nil
        }
        let owner = try? await view.stat(name).uid
        do { try await view.unlink(name) } catch { note(.warn, "cleanup", "could not remove \(name): \(error.description)") }
        return owner != 0
    }
}
