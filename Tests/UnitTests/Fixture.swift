import Foundation

/// Test input from `Fixtures/` (see Fixtures/SOURCES.md for where each came from).
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")

    static func text(_ name: String) -> String {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
            fatalError("missing fixture \(name)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A throwaway directory tree standing in for a node's / (fstab, systemd units, autofs maps).
struct FakeRoot {
    let path: String

    init(_ files: [String: String]) throws {
        path = NSTemporaryDirectory() + "nfskeeper-root-" + UUID().uuidString
        for (relative, text) in files {
            let full = path + relative
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
