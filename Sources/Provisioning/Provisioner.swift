import SystemPackage
import Glibc
import Check
import FoundationEssentials
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
    /// The share directory's fileid as the server view first saw it (see `shareStillInPlace`).
    var shareFileID: UInt64?
    /// The other node's private kernel mount (`OtherNodeChoice`); nil: libnfs sessions.
    var privateMount: PrivateMountRequest?

    public static func run(_ request: ProvisionRequest) async -> ProvisionResult {
        var p = Provisioner(
            request: request,
            result: ProvisionResult(path: request.scratchPath, mode: octal(request.mode), dryRun: request.dryRun),
            kernel: KernelView(timeout: request.timeout))
        await p.provision()
        return p.result
    }

    mutating func fail(_ rule: Rule, _ message: String, fix: String? = nil) {
        result.findings.append(Finding(.crit, rule, subject: result.path, message, fix: fix))
    }

    mutating func note(_ severity: Severity, _ rule: Rule, _ message: String, fix: String? = nil) {
        result.findings.append(Finding(severity, rule, subject: result.path, message, fix: fix))
    }

    mutating func provision() async {
        // Ownership on shared storage is root's business, on the kernel side and over AUTH_SYS alike.
        guard geteuid() == 0 else {
            return fail(
                "privileges",
                "provisioning sets owners on shared storage: run it as root (this process is uid \(getuid()))")
        }
        // Each step below makes its finding and answers nil when provisioning cannot go on.
        guard resolveAccounts(), let (share, shareStatus) = openShare(), let location = locate(shareStatus),
            let rootView = await connectServerView(location, shareStatus),
            let squashed = await probeRootSquash(rootView)
        else { return }
        result.rootSquashed = squashed
        let scratchPath = MountTable.normalize(location.path + "/" + request.cluster)

        // 5. Plan and act.
        await reconcile(share: share, serverPath: scratchPath, url: location.url, root: rootView, squashed: squashed)
        guard !result.findings.contains(where: { $0.severity == .crit }) else { return }

        // 6. Both views, read back; then the launcher's configuration.
        if !request.dryRun || result.actions.isEmpty { await verify(serverPath: scratchPath, root: rootView) }
        configure()
        result.changed = result.actions.contains { $0.done }
    }

    /// 1. Who should own it, as this node's name service knows them.
    mutating func resolveAccounts() -> Bool {
        guard let (owner, primaryGroup) = Accounts.user(request.owner) else {
            fail("owner", "user \(request.owner) does not exist on this node",
                 fix: "create the user (install Workbench) or pass --owner")
            return false
        }
        if let name = request.group {
            guard let g = Accounts.group(name) else {
                fail("group", "group \(name) does not exist on this node")
                return false
            }
            result.group = g
        } else {
            result.group = Account(name: Accounts.groupName(primaryGroup) ?? String(primaryGroup), id: primaryGroup)
        }
        result.owner = owner
        return true
    }

    /// 2. The share, opened one component at a time without following symlinks, and its status.
    mutating func openShare() -> (DirectoryHandle, KernelView.Status?)? {
        guard request.cluster.firstIndex(where: { $0 == "/" }) == nil, !["", ".", ".."].contains(request.cluster) else {
            fail("cluster", "the cluster name '\(request.cluster)' must be a single path component")
            return nil
        }
        let normalizedShare = MountTable.normalize(request.share)
        switch kernel.openDirectoryNoFollow(normalizedShare) {
        case .success(let share): return (share, share.status().value)
        case .timedOut:
            fail("hung", "\(normalizedShare) does not answer within \(request.timeout): is the NFS server down?")
        case .failure(.tooManySymbolicLinkLevels), .failure(.notDirectory):
            fail("symlink",
                 "\(normalizedShare) is, or passes through, a symlink or a non-directory: refused, nothing followed",
                 fix: "give the real path of the share")
        case .failure(let errno):
            fail("share", "\(normalizedShare): \(errno.description)", fix: "mount the share on this node")
        }
        return nil
    }

    /// 3. Its mount: NFS (unless allowed otherwise) and writable, and where it is on the server.
    mutating func locate(_ shareStatus: KernelView.Status?) -> ServerLocation? {
        let normalizedShare = MountTable.normalize(request.share)
        let mountInfo = MountInfo(parsing: request.mountInfoText ?? (readWholeFile("/proc/self/mountinfo") ?? ""))
        let device = shareStatus.map { (major: $0.deviceMajor, minor: $0.deviceMinor) }
        switch ServerLocation.resolve(normalizedShare, in: MountTable(mountInfo), device: device,
                                      server: request.server, allowNonNFS: request.allowNonNFS) {
        case .success(let location) where location.mount.isReadOnly:
            fail("read-only", "\(location.mount.mountPoint) is mounted read-only on this node",
                 fix: "mount it read-write")
        case .success(let location):
            result.serverURL = location.url.description
            result.serverPath = MountTable.normalize(location.path + "/" + request.cluster)
            return location
        case .failure(.notNFS(let m)):
            fail("not-nfs", "\(normalizedShare) is on \(m.fsType) (\(m.source)), not NFS: a scratch directory there "
                 + "is not shared between nodes",
                 fix: "give the share's path as this node mounts it (findmnt -t nfs,nfs4 lists them), "
                     + "or --allow-non-nfs for a test setup")
        case .failure(let failure): fail("share", failure.description)
        }
        return nil
    }

    /// 4. The server view, as root: the share there is the same directory as here (no symlink, same fileid).
    mutating func connectServerView(_ location: ServerLocation, _ shareStatus: KernelView.Status?) async
        -> ServerView? {
        let (url, sharePath) = (location.url, location.path)
        // libnfs 4.0.0 changes no NFSv4 directory's attributes: without NFSv3, auto takes the kernel.
        var noNFSv3 = false
        if request.otherNode == .auto && location.mount.isNFS && url.version == .v4 {
            noNFSv3 = !(await ServerView.answersNFSv3(url, timeout: min(request.timeout, .seconds(3))))
        }
        switch location.privateMount(for: request.otherNode, noNFSv3: noNFSv3, timeout: request.timeout) {
        case .success(let found): privateMount = found
        case .failure(let failure):
            fail("server", "no other node: \(failure)", fix: "use --other-node libnfs")
            return nil
        }
        do {
            let rootView = try await ServerView.connect(url, through: privateMount, as: .root, timeout: request.timeout)
            result.otherNode = rootView.otherNode.description
            let onServer = try await rootView.stat(sharePath)
            if onServer.type == .symlink {
                fail("symlink", "\(sharePath) on \(url.serverAndExport) is a symlink: refused, nothing followed")
                return nil
            }
            guard onServer.type == .directory else {
                fail("server", "\(sharePath) on \(url.serverAndExport) is not a directory: --server names another "
                     + "export?")
                return nil
            }
            // On an NFS mount the kernel's inode number is the server's fileid: the same directory.
            if !request.allowNonNFS, let inode = shareStatus?.inode, inode != onServer.fileid {
                fail("server", "\(MountTable.normalize(request.share)) on this node is not \(sharePath) on "
                     + "\(url.serverAndExport) (inode \(inode), fileid \(onServer.fileid)): refused",
                     fix: "pass --server for the right export")
                return nil
            }
            shareFileID = onServer.fileid
            return rootView
        } catch {
            fail("server", "the server view failed: \(error.description)", fix: "check with: nfskeeper server '\(url)'")
            return nil
        }
    }

    /// The server view acts by path, and any client that can write the share's parent can swap a
    /// name between two calls: before and after each step the share must still be the directory
    /// first seen (same fileid, a directory, not a symlink). A crit finding otherwise.
    mutating func shareStillInPlace(_ root: ServerView, _ sharePath: String, _ step: String) async -> Bool {
        guard let reference = shareFileID else { return true }
        // A share the server cannot stat is not the share: the swap finding below.
        if let now = try? await root.stat(sharePath), now.type == .directory, now.fileid == reference { return true }
        fail(
            "swapped",
            "\(sharePath) on the server was replaced \(step) (not the directory this run began with): "
                + "stopped; a symlink's target may hold what this step made",
            fix: "find who replaces the share directory; run again")
        return false
    }

    /// Whether the share itself lists the directory just made, by fileid: one READDIRPLUS of the share,
    /// whose "." must be the share first seen, so a path swapped back and forth between the calls
    /// before cannot pass off a symlink target's directory as this one. NFSv4 READDIR names no fileid
    /// for ".": there the checks before stand alone.
    func listedInShare(_ root: ServerView, _ sharePath: String, fileid: UInt64) async -> Bool {
        // No listing: the new directory cannot be confirmed, which the caller reports.
        guard let reference = shareFileID, let (own, entries) = try? await root.listing(sharePath) else {
            return shareFileID == nil  // nil listing: not confirmed, so not made here
        }
        guard let own else { return true }
        return own == reference && entries.contains { $0.name == request.cluster && $0.attributes.fileid == fileid }
    }

    /// Creates a uniquely named file as uid 0 at the export's root through the server view and reads
    /// its owner back (`ServerView.readNewFile`): 0 means root is trusted; anything else (or EACCES)
    /// means squashed. Squash is the export's, and its root is the one path no client can swap.
    /// nil (with a finding) when the export cannot be written or the owner not told.
    mutating func probeRootSquash(_ view: ServerView) async -> Bool? {
        _ = await view.removeLeftovers(in: "/", purpose: "provision", node: request.node)
        let name = "/" + TemporaryName.make(purpose: "provision", node: request.node)
        do {
            let reading = try await view.readNewFile(name)
            guard let owner = reading.owner else {
                fail(
                    "server", "root squash could not be judged: \(reading.ownerEvidence)",
                    fix: "export it over NFSv3 too, or provision through the kernel mount as root")
                return nil
            }
            return owner != 0
        } catch  where error.errno == .readOnlyFileSystem {
            fail(
                "read-only", "the export is read-only (EROFS): the scratch directory cannot be created",
                fix: "export it read-write")
            return nil
        } catch  where error.errno == .permissionDenied {
            return true
        } catch {
            fail("server", "could not write at the export's root through the server view: \(error.description)")
            return nil
        }
    }
}
