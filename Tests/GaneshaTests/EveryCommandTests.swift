import Foundation
import Testing

/// The one interface, as a new user meets it: every subcommand run twice against the test server
/// through a FUSE view, as text at an 80-column terminal (`COLUMNS=80`) and as `--json`, with names
/// another party planted (the share directory's name, a mount point, a Workbench setting, another
/// node's report and the history written from them all carry ESC, CR and BEL). The JSON validates
/// against its schema, its severity is the exit code and the text's exit code; the text has no line
/// over 80 columns and no raw control character.
@Suite(.serialized) struct EveryCommandTests {
    static let planted = "evil\u{1B}[2J\u{1B}[31m\r\u{07}"

    /// Control characters other than newline: C0, DEL and C1.
    static func rawControls(_ text: String) -> [String] {
        text.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }
            .map { String(format: "U+%04X", $0.value) }
    }

    /// Runs `arguments` as text and as JSON; checks both; the JSON document.
    @discardableResult
    static func twice(_ arguments: [String], _ command: String) throws -> [String: Any] {
        let text = try AgentProcess(arguments, errorsToo: true, environment: ["COLUMNS": "80"])
        let textStatus = text.wait()
        let long = text.text.split(separator: "\n").filter { $0.count > 80 }
        #expect(long.isEmpty, "\(command): \(long.map { "\($0.count): \($0)" })")
        let controls = rawControls(text.text)
        #expect(controls.isEmpty, "\(command): raw \(Set(controls).sorted()) in\n\(text.text.prefix(600))")
        // The JSON's own exit code is its severity's (JSONSchemaTests.run checks it).
        let doc = try JSONSchemaTests.run(arguments + ["--json"], command)
        let jsonStatus = JSONSchemaTests.exitCodes[doc["severity"] as? String ?? ""]
        #expect(Int(textStatus) == jsonStatus, "\(command): text exits \(textStatus), JSON \(jsonStatus ?? -1)")
        return doc
    }

    @Test func everySubcommandKeepsTheConvention() throws {
        let url = try TestServer.value("NFSKEEPER_TEST_URL_RW_V3")
        let view = try FuseView(of: try TestServer.backingDirectory("rw"), options: ["attr_timeout=0"])
        let name = TestServer.scratchName("every") + "-" + Self.planted
        let share = view.mountPoint + name
        let scratch = NSTemporaryDirectory() + "nfskeeper-every-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch + "/root/etc/rstudio",
                                                withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: share, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o777])
        defer {
            try? FileManager.default.removeItem(atPath: share)
            view.unmount()
            try? FileManager.default.removeItem(atPath: scratch)
        }
        // A mount table whose NFS mount point clears the screen, as the kernel escapes it, beside a real capture.
        let capture = JSONSchemaTests.repository.appendingPathComponent("Tests/UnitTests/Fixtures").path
            + "/kernel-6.1-v4.2.mountinfo"
        let mountinfo = scratch + "/mountinfo"
        try (String(contentsOfFile: capture, encoding: .utf8)
             + #"41 30 0:34 / /mnt/\033[2J\033[31mevil\015 rw,relatime - nfs4 10.0.2.100:/rw "#
             + "rw,vers=4.2,hard,proto=tcp,timeo=600,retrans=2,sec=sys,local_lock=none\n")
            .write(toFile: mountinfo, atomically: true, encoding: .utf8)
        let onShare = ["--allow-non-nfs", "--server", url]

        let check = try Self.twice(["check", "--mountinfo", mountinfo], "check")
        #expect((check["mounts"] as? [Any])?.count == 2)
        try Self.twice(["advise", "--mountinfo", mountinfo, "--role", "package-manager"], "advise")
        try Self.twice(["server", url], "server")
        try Self.twice(["server", "nfs://127.0.0.1/nonexistent?version=3&nfsport=1&mountport=1", "--timeout", "2"],
                       "server")
        try Self.twice(["probe", share, "--quick"] + onShare, "probe")
        try Self.twice(["locks", share] + onShare, "locks")
        let watchArguments = ["watch", share, "--period", "1", "--duration", "2", "--node-name", "every-watch"]
        let watch = try Self.twice(watchArguments, "watch")
        #expect((watch["canariesWritten"] as? Int ?? 0) >= 2)
        #expect(!FileManager.default.fileExists(atPath: share + "/.nfskeeper/watch/every-watch"),
                "the watch removes its own directory")
        try Self.twice(["provision", share, "--owner", "daemon", "--dry-run"] + onShare, "provision")
        let history = scratch + "/history.jsonl"
        try Self.twice(["audit", share, "--quick", "--history", history, "--node-name", "every-test",
                        "--rstudio-config", scratch + "/root/etc/rstudio"] + onShare, "audit")
        let entries = try Self.twice(["history", "--file", history], "history")["entries"] as? [Any]
        #expect(entries?.count == 2)
        try plantReport(from: share + "/.nfskeeper/nodes/every_test.json")
        let fleet = try Self.twice(["fleet", share], "fleet")
        #expect((fleet["rows"] as? [Any])?.count == 2, "the planted node's report is read")
        try ("server-shared-storage-path=/mnt/\u{1B}[2J\u{1B}[31mevil\r/shared\n")
            .write(toFile: scratch + "/root/etc/rstudio/rserver.conf", atomically: true, encoding: .utf8)
        let ready = try Self.twice(["ready", "--root", scratch + "/root", "--mountinfo", mountinfo], "ready")
        #expect((ready["products"] as? [Any])?.count == 1)
    }

    /// Another node's report beside this node's, its free-text fields carrying control characters.
    func plantReport(from own: String) throws {
        var report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: own)))
            as? [String: Any] ?? [:]
        report["node"] = "planted"
        report["version"] = "9.9\u{1B}]0;owned\u{07}"
        report["share"] = (report["share"] as? String ?? "") + "\r\u{1B}[2K"
        let data = try JSONSerialization.data(withJSONObject: report)
        let path = (own as NSString).deletingLastPathComponent + "/planted.json"
        #expect(FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]))
    }
}
