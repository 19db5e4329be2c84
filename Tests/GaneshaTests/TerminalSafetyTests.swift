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
