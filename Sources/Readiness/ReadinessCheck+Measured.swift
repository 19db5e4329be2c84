import SystemPackage
import PositConfig
import Check
import KernelView
import Mounts
import NFSModel
import Reports

/// What only the live node can tell about its shared placements, through its own mounts: how NFSv4
/// shows their owners beside the server's (id mapping), and whether Project Sharing's storage keeps ACLs.
extension ReadinessReport {
    public mutating func measure(_ facts: NodeFacts, kernel: KernelView, readServerOwner: ServerOwnerReader,
                                 node: String) async {
        var seen = Set<String>()
        for placement in products.flatMap(\.placements) where placement.shared {
            let path = MountTable.normalize(placement.path)
            guard seen.insert(path).inserted, let mount = facts.mount(of: path) else { continue }
            let options = NFSMountOptions(parsing: mount.superOptions, fsType: mount.fsType)
            // A path that does not exist yet is not this step's finding.
            guard options.majorVersion == 4, let shown = kernel.lstat(path).value else { continue }
            var comparison = OwnerComparison(path: path, serverPath: mount.pathInFilesystem(path),
                                             serverURL: ServerURL(mountSource: mount.source, options: options),
                                             kernel: Owner(uid: shown.uid, gid: shown.gid), idMap: facts.idMap)
            findings += await comparison.judge(reading: readServerOwner, subject: path)
            owners.append(comparison)
        }
        for i in products.indices {
            for path in products[i].projectSharingPaths {
                guard let finding = Self.projectSharingACL(products[i], path, facts, kernel) else { continue }
                products[i].findings.append(finding)
                findings.append(finding)
            }
            for t in products[i].writeTrials.indices {
                guard let finding = Self.tryWriting(&products[i], t, facts, kernel, node: node) else { continue }
                products[i].findings.append(finding)
                findings.append(finding)
            }
        }
        severity = findings.worst
    }

    /// Project Sharing sets ACLs on shared projects: NFSv4 ACLs on an NFSv4 mount, POSIX ACLs otherwise.
    static func projectSharingACL(_ product: ProductReadiness, _ path: String, _ facts: NodeFacts,
                                  _ kernel: KernelView) -> Finding? {
        guard let mount = facts.mount(of: MountTable.normalize(path)) else { return nil }
        let v4 = NFSMountOptions(parsing: mount.superOptions, fsType: mount.fsType).majorVersion == 4
        let attribute = v4 ? "system.nfs4_acl" : "system.posix_acl_access"
        guard case .success(false) = kernel.keepsACL(path, attribute: attribute) else { return nil }
        return Finding(.warn, Rule("\(product.product.rulePrefix)-project-sharing-acl"),
                       subject: product.product.rawValue,
                              "\(path) on \(mount.source) keeps no ACLs (\(attribute): not supported): "
                              + "Project Sharing cannot give collaborators access",
                              fix: v4 ? "export a filesystem with NFSv4 ACL support (knfsd maps POSIX ACLs; ganesha "
                                  + "needs an FSAL with ACLs), or server-project-sharing=0"
                                  : "mount without noacl from a server with the NFSACL side protocol (or use NFSv4 "
                                  + "ACLs), or server-project-sharing=0")
    }

    /// The service account creates, writes and removes in its data directory through this node's mount,
    /// as the service does: what root squash, the directory's owner or a read-only export refuse it shows.
    static func tryWriting(_ product: inout ProductReadiness, _ t: Int, _ facts: NodeFacts, _ kernel: KernelView,
                           node: String) -> Finding? {
        guard let uid = product.serviceUID, let gid = product.serviceGID else { return nil }
        let user = product.serviceUser, path = product.writeTrials[t].path
        let groups = facts.groups.groups.filter { $0.members.contains(user) }.map(\.gid)
        let account = Credentials(uid: uid, gid: gid, groups: Array(Set(groups + [gid])).sorted())
        let who = "\(user) (\(uid):\(gid))"
        func critical(_ text: String, fix: String) -> Finding {
            Finding(.crit, Rule("\(product.product.rulePrefix)-data-dir-write"), subject: product.product.rawValue,
                    text, fix: fix)
        }
        switch kernel.writeTrial(in: path, as: account, purpose: "write", node: node) {
        case .success(nil):
            product.writeTrials[t].result = .ok
            return nil
        case .success(let failure?) where failure.step == .openDirectory && failure.errno == .noSuchFileOrDirectory:
            product.writeTrials[t].result = .notFound  // not there yet: the service makes it
            return nil
        case .success(let failure?):
            product.writeTrials[t].result = .failed
            product.writeTrials[t].detail = "\(failure.step.rawValue): \(failure.errno)"
            return critical("\(who) cannot \(failure.step.rawValue) in \(product.writeTrials[t].setting) \(path) "
                            + "through this node's mount: \(failure.errno)",
                            fix: "on the NFS server, give \(path) to \(uid):\(gid) (chown -R \(uid):\(gid)); "
                                + "root squash maps only root, so the server must see the same uid; export it rw")
        case .failure(let e):
            product.writeTrials[t].result = .failed
            product.writeTrials[t].detail = "\(e)"
            return nil
        case .timedOut:
            product.writeTrials[t].result = .timedOut
            return critical("\(path) did not answer within \(kernel.timeout): the mount is hung (a hard mount waits "
                            + "for the server forever)", fix: "nfskeeper check \(path) shows the mount's state")
        }
    }
}
