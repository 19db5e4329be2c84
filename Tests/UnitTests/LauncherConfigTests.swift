import Foundation
import Testing
@testable import Provisioning
import Reports

/// Workbench's configuration files, in a throwaway /etc/rstudio.
@Suite struct LauncherConfigTests {
    static func directory(_ files: [String: String]) throws -> String {
        let dir = NSTemporaryDirectory() + "nfskeeper-rstudio-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        return dir
    }

    static func remove(_ dir: String) { try? FileManager.default.removeItem(atPath: dir) }

    @Test func absentFilesAreInformationOnly() throws {
        let dir = try Self.directory([:])
        defer { Self.remove(dir) }
        let config = LauncherConfig(directory: dir)
        let findings = config.findings(scratch: "/mnt/shared/Local", cluster: "Local", owner: "rstudio-server")
        #expect(findings.map(\.rule) == ["scratch-path"] && findings[0].severity == .info)
    }

    @Test func aWrongScratchPathClusterNameAndServerUserAreWarnings() throws {
        let dir = try Self.directory([
            "launcher.local.conf": "# local plugin\nscratch-path=/var/lib/rstudio-launcher\nunprivileged=1\n",
            "launcher.conf":
                "[server]\naddress=127.0.0.1\nport=5559\n\n[cluster]\nname=Kube\ntype=Kubernetes\n\n"
                    + "[cluster]\nname=LocalLauncher\ntype=Local\n",
            "rserver.conf": "www-port=8787\nserver-user=rstudio\nload-balancing-enabled=1\n",
        ])
        defer { Self.remove(dir) }
        let config = LauncherConfig(directory: dir)
        let findings = config.findings(scratch: "/mnt/shared/Local", cluster: "Local", owner: "rstudio-server")
        #expect(Set(findings.map(\.rule)) == ["scratch-path", "launcher-cluster", "server-user"])
        #expect(findings.allSatisfy { $0.severity == .warn })
        #expect(findings.first { $0.rule == "scratch-path" }?.message.contains("launcher.local.conf:2") == true)
        #expect(findings.first { $0.rule == "launcher-cluster" }?.value == "LocalLauncher")
    }

    /// The decision `ready` makes (WorkbenchBalancing): a local scratch path is wrong only where Workbench
    /// balances and the Local plugin finds its peers in scratch-path.
    @Test(arguments: [
        ("load-balancing-enabled=1\n", "", false, Severity.warn),
        ("", "", true, .warn),
        ("", "", false, .info),
        ("load-balancing-enabled=1\n", "load-balancing-type=External\n", false, .info),
    ])
    func aLocalScratchPathIsWrongOnlyWhereItMustBeShared(_ rserver: String, _ local: String, _ file: Bool,
                                                         _ severity: Severity) throws {
        var files = ["rserver.conf": rserver, "launcher.local.conf": "scratch-path=/var/lib/l\n" + local]
        if file { files["load-balancer"] = "[config]\nbalancer=sessions\n" }
        let dir = try Self.directory(files)
        defer { Self.remove(dir) }
        let findings = LauncherConfig(directory: dir).findings(scratch: "/mnt/shared/Local", cluster: "Local",
                                                               owner: "rstudio-server")
        #expect(findings.first { $0.rule == "scratch-path" }?.severity == severity, "\(findings)")
    }

    @Test func aMatchingConfigurationIsOK() throws {
        let dir = try Self.directory([
            "launcher.local.conf": "scratch-path=/mnt/shared/Local/\n",
            "launcher.conf": "[cluster]\nname=Local\ntype=Local\n",
            "rserver.conf": "server-user=rstudio-server\n",
        ])
        defer { Self.remove(dir) }
        let config = LauncherConfig(directory: dir)
        let findings = config.findings(scratch: "/mnt/shared/Local", cluster: "Local", owner: "rstudio-server")
        #expect(findings.worst == .ok)
    }

    @Test func writingScratchPathKeepsEveryOtherByteAndABackup() throws {
        let original =
            "# Workbench local launcher\r\nunprivileged=1\r\nscratch-path = /old/place\r\n  # trailing comment\r\n"
                + "save-unspecified-output=0"
        let dir = try Self.directory(["launcher.local.conf": original])
        defer { Self.remove(dir) }
        let config = LauncherConfig(directory: dir)
        let (changed, backup) = try config.writeScratchPath(
            "/mnt/shared/Local", now: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(changed)
        let written = try String(contentsOfFile: config.localConf, encoding: .utf8)
        #expect(
            written
                == original.replacingOccurrences(
                    of: "scratch-path = /old/place", with: "scratch-path =/mnt/shared/Local"))
        #expect(try String(contentsOfFile: try #require(backup), encoding: .utf8) == original)
        #expect(backup?.hasSuffix(".nfskeeper-20270115T080000Z.bak") == true)
        #expect(try config.writeScratchPath("/mnt/shared/Local").changed == false)
    }

    @Test func writingScratchPathAppendsWhenMissingAndCreatesWhenAbsent() throws {
        let dir = try Self.directory(["launcher.local.conf": "unprivileged=1"])
        defer { Self.remove(dir) }
        let config = LauncherConfig(directory: dir)
        _ = try config.writeScratchPath("/s/Local")
        #expect(
            try String(contentsOfFile: config.localConf, encoding: .utf8) == "unprivileged=1\nscratch-path=/s/Local\n")
        let emptyDir = try Self.directory([:])
        defer { Self.remove(emptyDir) }
        let empty = LauncherConfig(directory: emptyDir)
        let (changed, backup) = try empty.writeScratchPath("/s/Local")
        #expect(changed && backup == nil)
        #expect(try String(contentsOfFile: empty.localConf, encoding: .utf8) == "scratch-path=/s/Local\n")
    }
}
