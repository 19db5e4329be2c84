import Foundation
import Testing

/// One convention across the commands, read from every subcommand's own help at 80 columns: the
/// share is positional, `--json` is a flag, the same option has one meaning, help fits the terminal.
@Suite struct ConventionTests {
    static let commands = ["advise", "audit", "check", "fleet", "history", "locks", "probe", "provision", "ready",
                           "server", "watch"]
    static let takeAShare = ["audit", "fleet", "locks", "probe", "provision", "watch"]

    static func help(_ command: String) throws -> String {
        let agent = try AgentProcess([command, "--help"], errorsToo: true, environment: ["COLUMNS": "80"])
        #expect(agent.wait() == 0)
        return agent.text
    }

    @Test(arguments: commands)
    func theHelpShowsTheConvention(_ command: String) throws {
        let text = try Self.help(command)
        #expect(text.contains("--json"), "\(command): no --json")
        #expect(!text.contains("--json <"), "\(command): --json takes a value")
        if Self.takeAShare.contains(command) {
            #expect(text.contains("<share>"), "\(command): the share is not positional")
            #expect(!text.contains("--share"), "\(command): --share is shown")
        }
        for option in ["--timeout", "--node-name", "--server", "--root"] where text.contains(option + " <") {
            let value = text.components(separatedBy: option + " <")[1].prefix { $0 != ">" }
            let expected = ["--timeout": "seconds", "--node-name": "name", "--server": "url", "--root": "dir"][option]
            #expect(String(value) == expected, "\(command): \(option) <\(value)>")
        }
        let long = text.split(separator: "\n").map(String.init).filter { $0.count > 80 }
        #expect(long.isEmpty, "\(command): \(long)")
    }

    @Test func theEarlierSpellingsStillWorkOrSayWhatChanged() throws {
        let old = try AgentProcess(["provision", "--share", "relative"], errorsToo: true)
        #expect(old.wait() == 64 && old.text.contains("absolute path"))
        let both = try AgentProcess(["audit", "/mnt/a", "--share", "/mnt/b"], errorsToo: true)
        #expect(both.wait() == 64 && both.text.contains("give the share once"))
        let file = try AgentProcess(["audit", "--json", "/var/lib/nfskeeper/audit.json"], errorsToo: true)
        #expect(file.wait() == 64 && file.text.contains("--json-file /var/lib/nfskeeper/audit.json"))
    }

    @Test func checkEndsWithTheNextStepAndItsJSONDoesNot() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../UnitTests/Fixtures/kernel-6.1-v4.2.mountinfo").standardized.path
        let text = try AgentProcess(["check", "--mountinfo", fixture], environment: ["COLUMNS": "200"])
        #expect(text.wait() == 1)
        let next = "Next: nfskeeper advise /mnt/nfs --mountinfo \(fixture) (the exact options and steps)\n"
        #expect(text.text.hasSuffix(next), "\(text.text.suffix(200))")
        let json = try AgentProcess(["check", "--mountinfo", fixture, "--json"])
        #expect(json.wait() == 1 && !json.text.contains("Next:"))
    }

    /// A dry run ends with the command that does it, quoted for a shell; a node's readiness with the fleet.
    @Test func provisionAndReadyEndWithTheirNextStep() throws {
        let view = try FuseView(of: try TestServer.backingDirectory("rw"), options: ["attr_timeout=0"])
        let share = view.mountPoint + TestServer.scratchName("next") + " it's"
        try FileManager.default.createDirectory(atPath: share, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o777])
        defer {
            try? FileManager.default.removeItem(atPath: share)
            view.unmount()
        }
        let url = try TestServer.url("rw").description
        let dry = try AgentProcess(["provision", share, "--owner", "daemon", "--dry-run", "--allow-non-nfs",
                                    "--server", url], environment: ["COLUMNS": "400"])
        _ = dry.wait()
        let quoted = "'" + share.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
        let again = "Next: nfskeeper provision \(quoted) --owner daemon --allow-non-nfs --server '\(url)' "
        #expect(dry.text.hasSuffix(again + "(the same, without --dry-run, to make it so)\n"), "\(dry.text.suffix(300))")
        let real = try AgentProcess(["provision", share, "--owner", "daemon", "--allow-non-nfs", "--server", url])
        _ = real.wait()
        #expect(!real.text.contains("Next:"), "nothing left to do")
        let root = NSTemporaryDirectory() + "nfskeeper-next-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/etc/rstudio", withIntermediateDirectories: true)
        try "server-shared-storage-path=/mnt/shared/rstudio\n".write(toFile: root + "/etc/rstudio/rserver.conf",
                                                                   atomically: true, encoding: .utf8)
        let mountinfo = root + "/mountinfo"
        try "36 25 0:45 / /mnt/shared rw - nfs4 nfs.example:/export rw,vers=4.2\n"
            .write(toFile: mountinfo, atomically: true, encoding: .utf8)
        let ready = try AgentProcess(["ready", "--root", root, "--mountinfo", mountinfo],
                                     environment: ["COLUMNS": "400"])
        _ = ready.wait()
        #expect(ready.text.hasSuffix("Next: nfskeeper audit /mnt/shared on every node, then nfskeeper fleet "
                                     + "/mnt/shared (what must match across nodes: versions, ids, configuration, "
                                     + "database, DataDir)\n"), "\(ready.text.suffix(300))")
    }
}
