import Audit
import Fleet
import FoundationEssentials
import Mounts
import PositConfig

/// One parser of untrusted text, fed arbitrary bytes: by libFuzzer (`scripts/fuzz`) and, for the
/// inputs that once crashed it, by the tests (`Tests/UnitTests/Fixtures/fuzz-crashes/<target>/`).
/// A target returns normally for every input; a trap or a stack overflow is the defect.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case mountinfo, mountstats, declaredMounts = "declared-mounts", launcherConfig = "launcher-config"
    case auditConfig = "audit-config", nodeReport = "node-report", fileLocks = "file-locks", gcfg
    case dpkgStatus = "dpkg-status"

    public func run(_ bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self)
        switch self {
        case .mountinfo:
            _ = MountInfo(parsing: text).entries.map { NFSMountOptions(parsing: $0.superOptions, fsType: $0.fsType) }
        case .mountstats:
            _ = MountStats(parsing: text)
        case .declaredMounts:
            var declared = DeclaredMounts(root: "/nonexistent")
            declared.parseFstab(text, file: "fstab")
            declared.parseMountUnit(text, file: "x.mount")
            declared.parseAutofsMap(text, file: "auto.x", mountPoint: "/x", masterOptions: "-fstype=nfs")
        case .launcherConfig:
            _ = parseConfigEntries(text)
        case .auditConfig:
            // The fuzzer looks for crashes; a parse error is a fine answer.
            _ = try? AuditConfig(parsing: text, file: "config.yaml")
        case .fileLocks:
            _ = FileLocksSettings(parsing: text)
        case .gcfg:
            let g = Gcfg(parsing: text)
            _ = g.values("Server", "DataDir")
        case .dpkgStatus:
            _ = (DpkgStatus(parsing: text), PasswdFile(parsing: text), ProductVersion(text))
        case .nodeReport:
            let reading = NodeDirectory.decodeReport(Array(bytes), file: "node-1.json")
            // Undecodable input is a fine answer.
            _ = FleetReport.build(share: "/share", reports: (try? reading.get()).map { [$0] } ?? [], problems: [])
        }
    }
}
