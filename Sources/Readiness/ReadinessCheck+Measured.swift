import Check
import KernelView
import Mounts
import NFSModel
import Reports

/// What only the live node can tell about its shared placements, through its own mounts: how NFSv4
/// shows their owners beside the server's (id mapping), and whether Project Sharing's storage keeps ACLs.
extension ReadinessReport {
    public mutating func measure(_ facts: NodeFacts, kernel: KernelView, readServerOwner: ServerOwnerReader) async {
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
}
