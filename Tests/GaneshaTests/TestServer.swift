import Foundation
import ServerView

/// The test NFS server started by `scripts/nfs-test-server start` (the README's test command does
/// it). Its URLs come from the environment, or from `scripts/nfs-test-server env` when unset.
enum TestServer {
    static let environment: [String: String] = {
        var env = ProcessInfo.processInfo.environment
        if env["NFSKEEPER_TEST_URL_RW_V3"] == nil {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../scripts/nfs-test-server").standardized.path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: script)
            process.arguments = ["env"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try? process.run()
            process.waitUntilExit()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            for line in text.split(separator: "\n") {
                let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
                if kv.count == 2 { env[kv[0]] = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
            }
        }
        return env
    }()

    struct NotRunning: Error, CustomStringConvertible {
        var key: String
        var description: String {
            "\(key) is not set: start the test server first (scripts/nfs-test-server start), or run scripts/test"
        }
    }

    static func value(_ key: String) throws -> String {
        guard let value = environment[key] else { throw NotRunning(key: key) }
        return value
    }

    /// The URL of export `name` ("rw", "squash", "ro", "v4only") in `version`.
    static func url(_ name: String, _ version: ServerURL.Version = .v3) throws -> ServerURL {
        try ServerURL(parsing: value("NFSKEEPER_TEST_URL_\(name.uppercased())_V\(version.rawValue)"))
    }

    /// The directory on this machine that ganesha exports as `name`: for checking results only;
    /// tests make their files through NFS.
    static func backingDirectory(_ name: String) throws -> String {
        try value("NFSKEEPER_TEST_DIR_\(name.uppercased())")
    }

    static func connect(
        _ name: String, _ version: ServerURL.Version = .v3, as credentials: NFSCredentials = .root,
        timeout: Duration = .seconds(10)
    ) async throws -> ServerView {
        try await ServerView.connect(try url(name, version), as: credentials, timeout: timeout)
    }

    /// A fresh directory name under the export root, unique to this test.
    static func scratchName(_ label: String) -> String {
        "/" + TemporaryName.make(purpose: "test-\(label)", node: "tests")
    }
}
