import KernelView
import Check
import Mounts

extension VisibilityProbe {
    /// On NFSv4, the owner this node shows for the first verdict's directory beside the server's: the server
    /// view made it as the probe's uid moments ago, so nobody here is id mapping, whatever else the share
    /// holds. Judged as `check` judges a share's owner (`IdMapping`); the server is asked only for nobody.
    static func compareOwners(_ r: ProbeRequest, _ run: ProbeRun, options: NFSMountOptions?,
                              into report: inout ProbeReport) async {
        guard options?.majorVersion == 4, let read = r.serverOwners,
              let shown = run.shown(ProbeRun.firstVerdict) else { return }
        var owners = OwnerComparison(
            path: run.runKernel + "/" + ProbeRun.firstVerdict, serverPath: run.runServer + "/" + ProbeRun.firstVerdict,
            serverURL: run.location.url, kernel: Owner(uid: shown.uid, gid: shown.gid),
            idMap: r.idMap ?? IdMapSettings.read())
        report.findings += await owners.judge(reading: read, subject: r.share)
        report.owners = owners
    }
}
