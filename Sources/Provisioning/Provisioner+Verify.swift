import Check
import KernelView
import Mounts
import Reports
import ServerView

extension Provisioner {
    /// Reads the directory back through both views and says where they disagree, and why.
    mutating func verify(serverPath: String, root: ServerView) async {
        let (uid, gid, mode) = wanted
        // A fresh open of the share revalidates it (close-to-open), so a directory the server view
        // just made is not hidden behind the negative lookup of the check above.
        let here = kernel.openDirectoryNoFollow(MountTable.normalize(request.share)).then {
            $0.openDirectory(request.cluster)
        }.then { $0.status() }
        // Missing on the server is the finding below.
        let there = try? await root.stat(serverPath)
        if let st = here.value { result.kernelView = DirectoryView(uid: st.uid, gid: st.gid, mode: octal(st.mode)) }
        if let st = there { result.serverView = DirectoryView(uid: st.uid, gid: st.gid, mode: octal(st.mode)) }
        guard let server = there else {
            return request.dryRun ? () : fail("verify", "\(serverPath) is not on the server after provisioning")
        }
        if !request.dryRun && (server.uid != uid || server.gid != gid || server.mode != mode) {
            fail(
                "verify",
                "on the server \(serverPath) is \(server.uid):\(server.gid) \(octal(server.mode)), not "
                + "\(uid):\(gid) \(octal(mode))"
            )
        }
        guard let local = here.value else {
            return note(
                .warn, "kernel-view", "this node's mount does not show \(result.path) yet (\(here)); the server has it")
        }
        // The same judgement as check's on NFSv4 mounts: nobody here is id mapping, other ids differ.
        let owners = OwnerComparison(
            path: result.path, serverPath: serverPath,
            kernel: Owner(uid: local.uid, gid: local.gid),
            server: Owner(uid: server.uid, gid: server.gid), idMap: IdMapSettings.read())
        result.findings += IdMapping.findings(owners, subject: result.path)
        if local.mode != server.mode {
            note(
                .warn, "mode-mismatch",
                "this node shows mode \(octal(local.mode)), the server stores \(octal(server.mode)): stale "
                + "attribute cache or a bind-mount overlay"
            )
        }
    }

    /// Launcher configuration: check, and with --write-config set scratch-path.
    mutating func configure() {
        let config = LauncherConfig(directory: request.rstudioConfigDirectory)
        if request.writeConfig {
            if request.dryRun {
                record("write-config", .file, "scratch-path=\(result.path) in \(config.localConf)", done: false)
            } else {
                do {
                    let (changed, backup) = try config.writeScratchPath(result.path)
                    if changed {
                        record(
                            "write-config", .file,
                            "scratch-path=\(result.path) in \(config.localConf)"
                                + (backup.map { ", backup \($0)" } ?? ""), done: true)
                    }
                } catch {
                    fail("write-config", "could not write \(config.localConf): \(error)")
                }
            }
        }
        let findings = config.findings(scratch: result.path, cluster: request.cluster, owner: request.owner)
        // A dry run that plans to write scratch-path does not also warn that it is missing.
        result.findings += findings.filter { !(request.dryRun && request.writeConfig && $0.rule == .scratchPath) }
    }
}
