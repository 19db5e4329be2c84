import PropertyBased
import Testing
@testable import Check
@testable import Mounts
@testable import Audit

import Foundation

/// Any input parses or is rejected line by line with a warning; nothing traps, nothing hangs.
/// NFSKEEPER_FUZZ_SCALE multiplies every count (scripts/bench runs a million inputs per generator).
@Suite struct ParserPropertyTests {
    static let scale = Int(ProcessInfo.processInfo.environment["NFSKEEPER_FUZZ_SCALE"] ?? "") ?? 1

    static let bytes = Gen<UInt8>.value(in: 0...255).array(of: 0...600)

    /// Pieces of real syntax, shuffled: reaches deeper into the parsers than random bytes do.
    static let tokens = Gen<String?>.element(of: [
        " ", " ", "\t", "\n", "\n", "-", " - ", ":", "/", "\\", "\\040", "\\12", "=", ",", "0", "7",
        "18446744073709551616",
        "42", "device ", " mounted on ", " with fstype ", "nfs", "nfs4", "statvers=1.1", "opts:", "events:", "bytes:",
        "xprt:", "tcp", "rdma", "per-op statistics", "LOOKUP:", "vers=4.2", "actimeo=", "noac", "lookupcache=",
        "[", "]", "#", "[Mount]", "Where=", "What=", "Type=nfs", "Options=", "/-", "-fstype=nfs4", "host:/x", "é",
        "\u{0}",
    ]).map { $0 ?? "" }.array(of: 0...80)

    static func everyParser(_ text: String) {
        let info = MountInfo(parsing: text)
        for e in info.entries { #expect(e.mountPoint.hasPrefix("/")) }
        let stats = MountStats(parsing: text)
        #expect(stats.devices.count <= text.split(separator: "\n").count)
        let options = NFSMountOptions(parsing: text)
        #expect(options.negativeLookupWindow.lowerBound >= 0)
        var declared = DeclaredMounts(root: "/nonexistent")
        declared.parseFstab(text, file: "fstab")
        declared.parseMountUnit(text, file: "x.mount")
        declared.parseAutofsMap(text, file: "auto.x", mountPoint: "/net", masterOptions: "rw")
        _ = declared.parseAutoMaster(text, file: "auto.master")
        _ = Checker.run(paths: ["/"], CheckInput(mountInfo: info, mountStats: stats, declared: declared, kernel: nil))
        _ = parseConfigEntries(text)
        _ = try? AuditConfig(parsing: text, file: "fuzz.yaml")
    }

    @Test func randomBytesNeverCrashAParser() async {
        await propertyCheck(count: 2000 * Self.scale, input: Self.bytes) { raw in
            Self.everyParser(String(decoding: raw, as: UTF8.self))
        }
    }

    @Test func shuffledSyntaxNeverCrashesAParser() async {
        await propertyCheck(count: 3000 * Self.scale, input: Self.tokens) { pieces in
            Self.everyParser(pieces.joined())
        }
    }

    @Test func mutatedFixturesNeverCrashAParser() async {
        let fixtures = ["kernel-6.1-v4.2.mountstats", "procfs-v4.0.mountstats", "cluster-node.mountinfo"].map(
            Fixture.text)
        await propertyCheck(
            count: 1500 * Self.scale, input: Gen<Int>.value(in: 0...2), Gen<Int>.value(in: 0...4000), Self.bytes
        ) { which, at, insert in
            var bytes = Array(fixtures[which].utf8)
            let position = min(at, bytes.count)
            bytes.replaceSubrange(position..<min(bytes.count, position + insert.count / 2), with: insert)
            Self.everyParser(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test func escapedMountPointsRoundTrip() async {
        let names = Gen<Character?>.element(of: Array("ab z\t\n\\é/数")).map { $0 ?? "a" }.array(of: 1...30)
        await propertyCheck(count: 1000 * Self.scale, input: names) { chars in
            let point = "/" + String(chars)
            var escaped = ""
            for c in point {
                switch c {
                case " ": escaped += "\\040"
                case "\t": escaped += "\\011"
                case "\n": escaped += "\\012"
                case "\\": escaped += "\\134"
                default: escaped.append(c)
                }
            }
            let info = MountInfo(parsing: "70 27 0:60 / \(escaped) rw - nfs4 h:/e rw,vers=4.2\n")
            #expect(info.entries.first?.mountPoint == point)
        }
    }
}
