import Foundation
import Testing

/// Every subcommand's `--json` against the test server and a FUSE view, validated with a real JSON
/// Schema validator (PyPI jsonschema) against `schemas/envelope.schema.json` and the command's own
/// schema; and the document's severity is the exit code's.
@Suite(.serialized) struct JSONSchemaTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let validator = """
        import json, sys, jsonschema
        doc = json.load(open(sys.argv[1]))
        errors = []
        for name in ["envelope", str(doc.get("command", "?"))]:
            schema = json.load(open(sys.argv[2] + "/" + name + ".schema.json"))
            v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
            errors += [name + ": " + str(list(e.absolute_path)) + ": " + e.message[:200] for e in v.iter_errors(doc)]
        print("\\n".join(errors))
        sys.exit(1 if errors else 0)
        """

    /// nil when `json` validates; else the validator's complaints.
    static func problems(_ json: String) throws -> String? {
        let file = NSTemporaryDirectory() + "nfskeeper-json-\(UUID().uuidString).json"
        try json.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", validator, file, repository.appendingPathComponent("schemas").path]
        let pipe = Pipe()
        (process.standardOutput, process.standardError) = (pipe, pipe)
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : output
    }

    static let exitCodes = ["ok": 0, "info": 0, "warn": 1, "crit": 2, "unknown": 3]

    /// Runs `arguments`, validates its JSON and checks the exit code against the severity; the document.
    @discardableResult
    static func run(_ arguments: [String], _ command: String) throws -> [String: Any] {
        let agent = try AgentProcess(arguments)
        let status = agent.wait()
        let text = agent.text
        let problems = try Self.problems(text)
        #expect(problems == nil, "\(command): \(problems ?? "")\n\(text.prefix(400))")
        let doc = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        #expect(doc["command"] as? String == command)
        #expect(Int32(Self.exitCodes[doc["severity"] as? String ?? ""] ?? -1) == status,
                "\(command): severity \(doc["severity"] ?? "none"), exit \(status)")
        return doc
    }

    @Test func everyCommandsJSONValidatesAndItsSeverityIsTheExitCode() throws {
        let fixtures = Self.repository.appendingPathComponent("Tests/MountsTests/Fixtures").path
        let url = try TestServer.value("NFSKEEPER_TEST_URL_RW_V3")
        let view = try FuseView(of: try TestServer.backingDirectory("rw"), options: ["attr_timeout=0"])
        let name = TestServer.scratchName("schema")
        let share = view.mountPoint + name
        let scratch = NSTemporaryDirectory() + "nfskeeper-schema-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch + "/root/etc/rstudio",
                                                withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: share, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o777])
        defer {
            try? FileManager.default.removeItem(atPath: share)
            view.unmount()
            try? FileManager.default.removeItem(atPath: scratch)
        }
        let onShare = ["--allow-non-nfs", "--server", url]
        let mountinfo = ["--mountinfo", fixtures + "/kernel-6.1-v4.2.mountinfo"]
        try Self.run(["check", "--json"] + mountinfo, "check")
        try Self.run(["advise", "--json"] + mountinfo, "advise")
        try Self.run(["server", url, "--json"], "server")
        try Self.run(["server", "nfs://127.0.0.1/nonexistent?version=3&nfsport=1&mountport=1", "--timeout", "2",
                      "--json"], "server")
        try Self.run(["probe", share, "--quick", "--json"] + onShare, "probe")
        try Self.run(["locks", share, "--json"] + onShare, "locks")
        try Self.run(["provision", share, "--owner", "daemon", "--json"] + onShare, "provision")
        let history = scratch + "/history.jsonl"
        try Self.run(["audit", share, "--quick", "--json", "--history", history,
                      "--rstudio-config", scratch + "/root/etc/rstudio"] + onShare, "audit")
        let entries = try Self.run(["history", "--file", history, "--json"], "history")["entries"] as? [Any]
        #expect(entries?.count == 1)
        try "not an entry\n".write(toFile: history + ".bad", atomically: true, encoding: .utf8)
        let skipped = try Self.run(["history", "--file", history + ".bad", "--json"], "history")
        #expect(skipped["severity"] as? String == "warn")
        try Self.run(["fleet", share, "--json"], "fleet")
        try "server-shared-storage-path=/var/lib/shared\n".write(toFile: scratch + "/root/etc/rstudio/rserver.conf",
                                                                 atomically: true, encoding: .utf8)
        let ready = try Self.run(["ready", "--root", scratch + "/root", "--json"] + mountinfo, "ready")
        #expect((ready["products"] as? [Any])?.count == 1)
    }

    @Test func theSchemasRejectWhatIsNotAnEnvelope() throws {
        let good = """
            {"command": "history", "version": "0.2.0", "severity": "ok", "findings": [], "entries": []}
            """
        #expect(try Self.problems(good) == nil)
        for bad in [good.replacingOccurrences(of: "\"ok\"", with: "\"fine\""),
                    good.replacingOccurrences(of: "\"findings\": [], ", with: ""),
                    good.replacingOccurrences(of: "\"entries\": []", with: "\"entries\": {}"),
                    good.replacingOccurrences(of: "[]}", with: "[{\"time\": 1}]}")] {
            #expect(try Self.problems(bad) != nil, "\(bad)")
        }
    }
}
