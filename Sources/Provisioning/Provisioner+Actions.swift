import KernelView
import Mounts
import Reports
import ServerView
import SystemPackage

extension Provisioner {
    var wanted: (uid: UInt32, gid: UInt32, mode: UInt32) { (result.owner!.id, result.group!.id, request.mode) }

    mutating func record(_ action: String, _ route: ProvisionAction.Route, _ detail: String, done: Bool) {
        result.actions.append(ProvisionAction(action: action, route: route, detail: detail, done: done))
    }

    mutating func reconcile(
        share: DirectoryHandle, serverPath: String, url: ServerURL, root: ServerView, squashed: Bool
    ) async {
        let name = request.cluster
        switch share.status(of: name) {
        case .timedOut: fail("hung", "\(result.path) does not answer within \(request.timeout)")
        case .failure(let errno): fail("scratch", "\(result.path): \(errno.description)")
        case .success(nil):
            // Every node may run this at once (Ansible, cloud-init): if another one created it
            // first, inspect and fix what it made, as for an existing directory.
            if await create(share: share, serverPath: serverPath, url: url, root: root, squashed: squashed) {
                await fixExisting(share: share, serverPath: serverPath, url: url, root: root, squashed: squashed)
            }
        case .success(let st?) where st.isSymlink:
            fail(
                "symlink", "\(result.path) is a symlink: refused; neither the link nor its target was touched",
                fix: "remove the link (after checking who planted it) and run again")
        case .success(let st?) where !st.isDirectory:
            fail("scratch", "\(result.path) exists and is not a directory", fix: "move it away and run again")
        case .success:
            await fixExisting(share: share, serverPath: serverPath, url: url, root: root, squashed: squashed)
        }
    }

    // MARK: create

    /// Creates the directory; returns true when it already existed after all (another node won the race).
    /// Long: the two routes (kernel, server view as the owner) and the swap checks between their calls.
    mutating func create(
        share: DirectoryHandle, serverPath: String, url: ServerURL, root: ServerView,
        squashed: Bool
    ) async -> Bool {
        let (uid, gid, mode) = wanted
        let detail = "\(result.path) owner \(uid):\(gid) mode \(octal(mode))"
        if request.dryRun { record("mkdir", squashed ? .serverView : .kernel, detail, done: false); return false }
        if !squashed {
            switch createThroughKernel(share) {
            case .success: record("mkdir", .kernel, detail, done: true); return false
            case .failure(.fileExists): return true
            case .failure(.notPermitted):
                // Root squash the probe did not see (it can differ per client): undo, go the other way.
                _ = share.removeDirectory(request.cluster)
            case .failure(let errno): fail("mkdir", "\(result.path): \(errno.description)"); return false
            case .timedOut: fail("hung", "\(result.path) does not answer within \(request.timeout)"); return false
            }
        }
        let sharePath = parentPath(serverPath)
        guard await shareStillInPlace(root, sharePath, "before mkdir") else { return false }
        do {
            let owner = try await ServerView.connect(
                url, through: privateMount, as: NFSCredentials(uid: uid, gid: gid), timeout: request.timeout)
            try await owner.mkdir(serverPath, mode: FilePermissions(rawValue: CModeT(mode)))
            // Made where it should be: the share unchanged, and the new directory in it, owned by uid.
            guard await shareStillInPlace(root, sharePath, "during mkdir"),
                // Not there as made: the race's finding below.
                let made = try? await root.stat(serverPath), made.type == .directory, made.uid == uid,
                await listedInShare(root, sharePath, fileid: made.fileid)
            else {
                if !result.findings.contains(where: { $0.rule == .swapped }) {
                    fail("swapped", "\(serverPath) is not the directory just made: the share was swapped during mkdir")
                }
                return false
            }
            if made.mode != mode {
                try await owner.chmod(serverPath, mode: FilePermissions(rawValue: CModeT(mode)))
            }
            record("mkdir", .serverView, detail + " (as uid \(uid): root is squashed)", done: true)
        } catch  where error.errno == .fileExists {
            return true
        } catch  where error.errno == .permissionDenied || error.errno == .notPermitted {
            let parent = parentPath(serverPath)
            fail(
                "permission",
                "root is squashed and uid \(uid) may not create \(request.cluster) in \(parent) on "
                + "\(url.serverAndExport)",
                fix:
                    "on the NFS server: mkdir -m \(octal(mode)) <export>\(serverPath) && chown \(uid):\(gid) "
                    + "<export>\(serverPath) — or make \(parent) writable by uid \(uid)"
            )
        } catch {
            fail("mkdir", "creating \(serverPath) through the server view failed: \(error.description)")
        }
        return false
    }

    /// mkdirat (0700, so nobody can use it before it has its owner and mode), then chown and
    /// chmod through a descriptor opened with O_NOFOLLOW.
    func createThroughKernel(_ share: DirectoryHandle) -> KernelView.Outcome<Void> {
        let (uid, gid, mode) = wanted
        let name = request.cluster
        return share.makeDirectory(name, mode: 0o700)
            .then { share.openDirectory(name) }
            .then { dir in dir.changeOwner(uid: uid, gid: gid).then { dir.changeMode(mode) } }
    }

    // MARK: fix drift

    /// Long: owner and mode are fixed through the kernel or the server view, each re-validated against a swap.
    mutating func fixExisting(
        share: DirectoryHandle, serverPath: String, url: ServerURL, root: ServerView, squashed: Bool
    ) async {
        let (uid, gid, mode) = wanted
        // Open it without following: a symlink swapped in since the check fails here with ELOOP.
        let dir: DirectoryHandle
        switch share.openDirectory(request.cluster) {
        case .success(let d): dir = d
        case .failure(.tooManySymbolicLinkLevels), .failure(.notDirectory):
            return fail(
                "symlink", "\(result.path) was replaced by a symlink while being checked: refused, nothing touched")
        case .failure(let errno): return fail("scratch", "\(result.path): \(errno.description)")
        case .timedOut: return fail("hung", "\(result.path) does not answer within \(request.timeout)")
        }
        // Not readable on the server: the finding below says so.
        guard let onServer = try? await root.stat(serverPath) else {
            return fail("scratch", "cannot read the attributes of \(result.path)")
        }
        // This node's caches can still show a directory the server has since replaced.
        guard onServer.type == .directory else {
            return fail(
                "symlink",
                "on the server \(serverPath) is a \(onServer.type.rawValue), not a directory: refused, nothing touched",
                fix: "remove it (after checking who planted it) and run again")
        }
        // Judge by the server's numeric ids: this node may map them (NFSv4 idmapping).
        if onServer.uid != uid || onServer.gid != gid {
            let detail = "\(result.path) owner \(onServer.uid):\(onServer.gid) → \(uid):\(gid)"
            if request.dryRun {
                record("chown", .kernel, detail, done: false)
            } else if squashed {
                fail(
                    "owner",
                    "\(result.path) belongs to \(onServer.uid):\(onServer.gid), and root is squashed: no client "
                    + "can give it away",
                    fix: "on the NFS server: chown \(uid):\(gid) <export>\(serverPath)")
            } else if case .failure(let errno) = dir.changeOwner(uid: uid, gid: gid) {
                fail(
                    "owner", "chown of \(result.path) failed: \(errno.description)",
                    fix: "on the NFS server: chown \(uid):\(gid) <export>\(serverPath)")
            } else {
                record("chown", .kernel, detail, done: true)
            }
        }
        if onServer.mode != mode {
            let detail = "\(result.path) mode \(octal(onServer.mode)) → \(octal(mode))"
            if request.dryRun { return record("chmod", squashed ? .serverView : .kernel, detail, done: false) }
            if !squashed, dir.changeMode(mode).value != nil { return record("chmod", .kernel, detail, done: true) }
            guard await shareStillInPlace(root, parentPath(serverPath), "before chmod") else { return }
            do {  // as the directory's owner, which AUTH_SYS lets the server view be
                let owner = try await ServerView.connect(
                    url, through: privateMount, as: NFSCredentials(uid: onServer.uid, gid: onServer.gid),
                    timeout: request.timeout)
                try await owner.chmod(serverPath, mode: FilePermissions(rawValue: CModeT(mode)))
                guard await shareStillInPlace(root, parentPath(serverPath), "during chmod") else { return }
                record("chmod", .serverView, detail + " (as uid \(onServer.uid))", done: true)
            } catch {
                fail(
                    "mode", "chmod of \(result.path) failed: \(error.description)",
                    fix: "on the NFS server: chmod \(octal(mode)) <export>\(serverPath)")
            }
        }
    }
}

/// The directory that holds a server path ("/a/b" → "/a").
func parentPath(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
}
