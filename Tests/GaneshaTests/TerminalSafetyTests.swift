import Foundation
import Testing

/// Text another party controls — a mount point in /proc (mountinfo's `\033` is a real ESC), a node's
/// report in the share — never reaches the terminal as a control sequence.
@Suite struct TerminalSafetyTests {
    @Test func controlCharactersFromMountinfoArePrintedEscaped() throws {
        let dir = NSTemporaryDirectory() + "nfskeeper-escape-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A mount point that clears the screen and turns the text red, as the kernel escapes it.
        let line = #"41 30 0:34 / /mnt/\033[2J\033[31mevil rw,relatime - nfs4 10.0.2.100:/rw "#
            + "rw,vers=4.2,hard,proto=tcp,timeo=600,retrans=2,sec=sys,local_lock=none\n"
        try line.write(toFile: dir + "/mountinfo", atomically: true, encoding: .utf8)
        for arguments in [["check", "--mountinfo", dir + "/mountinfo"], ["advise", "--mountinfo", dir + "/mountinfo"],
                          ["check", "--nagios", "--mountinfo", dir + "/mountinfo"]] {
            let agent = try AgentProcess(arguments)
            _ = agent.wait()
            let text = agent.text
            #expect(text.contains("evil"), "\(arguments): the mount is reported")
            #expect(!text.unicodeScalars.contains { $0.value == 0x1B }, "\(arguments): a raw ESC reached the output")
            if arguments == ["check", "--mountinfo", dir + "/mountinfo"] {
                #expect(text.contains(#"\e[2J\e[31mevil"#))
            }
        }
    }
}

@Suite struct CommandTypoTests {
    @Test func aMistypedCommandGetsTheNearestOne() throws {
        for (typo, meant) in [("prove", "probe"), ("adivse", "advise"), ("flet", "fleet")] {
            let agent = try AgentProcess([typo, "/mnt/shared"], errorsToo: true)
            #expect(agent.wait() == 64)
            #expect(agent.text.contains("did you mean '\(meant)'"), "\(agent.text)")
        }
        let unrelated = try AgentProcess(["xyzzy"], errorsToo: true)
        #expect(unrelated.wait() == 64 && !unrelated.text.contains("did you mean"))
    }
}

/// At an 80-column terminal (`COLUMNS=80`, as findmnt honours it) no line of any subcommand's text is
/// longer: tables wrap their last column, key-value blocks and advice wrap with a hanging indent.
@Suite(.serialized) struct TerminalWidthTests {
    @Test func everySubcommandFitsEightyColumns() throws {
        let view = try FuseView(of: try TestServer.backingDirectory("rw"), options: ["negative_timeout=1"])
        let dir = TestServer.scratchName("width")
        let backing = try TestServer.backingDirectory("rw") + dir
        try FileManager.default.createDirectory(atPath: backing, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o777])
        defer {
            view.unmount()
            try? FileManager.default.removeItem(atPath: backing)
        }
        let (share, url) = (view.mountPoint + dir, try TestServer.url("rw").description)
        let capture = MonitoringTests.repository + "/Tests/MountsTests/Fixtures/kernel-6.1-guest-defaults"
        let runs: [[String]] = [
            ["check", "--mountinfo", capture + ".mountinfo", "--mountstats", capture + ".mountstats"],
            ["advise", "--mountinfo", capture + ".mountinfo", "--role", "package-manager"],
            ["server", url],
            ["probe", share, "--allow-non-nfs", "--server", url, "--samples", "1", "--max-wait", "2"],
            ["provision", "--share", share, "--allow-non-nfs", "--server", url, "--owner", "daemon", "--dry-run"],
            ["audit", "--share", share, "--allow-non-nfs", "--server", url, "--quick", "--history", "none",
             "--provision", "--owner", "daemon", "--node-name", "width-test"],
            ["fleet", share],
        ]
        for arguments in runs {
            let agent = try AgentProcess(arguments, errorsToo: true, environment: ["COLUMNS": "80"])
            let status = agent.wait()
            #expect(status <= 3, "\(arguments.first!): exit \(status)")
            let long = agent.text.split(separator: "\n").filter { $0.count > 80 }
            #expect(long.isEmpty, "\(arguments.first!): \(long.map { "\($0.count): \($0)" })")
        }
    }
}
