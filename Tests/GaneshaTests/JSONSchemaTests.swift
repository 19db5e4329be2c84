import Foundation
import Testing

/// A real JSON Schema validator (PyPI jsonschema) against `schemas/envelope.schema.json` and the
/// command's own schema; every subcommand runs through it in `EveryCommandTests`.
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
