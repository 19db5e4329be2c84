import Foundation
import Testing
@testable import Check
@testable import KernelView
@testable import Mounts
import Reports
import ServerView

@Suite struct CheckRuleTests {
    /// Offline check of one fixture's mountinfo (+ mountstats), every NFS mount, no declarations.
    static func offline(
        _ mountinfo: String, _ mountstats: String? = nil, declared: DeclaredMounts? = nil
    ) -> CheckReport {
        Checker.run(
            paths: [],
            CheckInput(
                mountInfo: MountInfo(parsing: Fixture.text(mountinfo)),
                mountStats: mountstats.map { MountStats(parsing: Fixture.text($0)) },
                declared: declared, kernel: nil))
    }

    static func severities(_ check: MountCheck) -> [String: Severity] {
        var out: [String: Severity] = [:]
        for f in check.findings { out[f.rule.rawValue] = max(out[f.rule.rawValue] ?? .ok, f.severity) }
        return out
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var fixture: String
        var stats: String?
        var mountPoint: String
        var expected: [String: Severity]
        var window: ClosedRange<Int>
        var exit: Int32
        var testDescription: String { "\(fixture) \(mountPoint)" }
    }

    static let cases: [Case] = [
        Case(
            fixture: "kernel-6.1-v3.mountinfo", stats: "kernel-6.1-v3.mountstats", mountPoint: "/mnt/nfs",
            expected: ["nfs-version": .info, "recovery": .ok, "locking": .warn, "cto": .ok, "negative-lookup": .warn],
            window: 30...60, exit: 1),
        Case(
            fixture: "kernel-6.1-v4.2.mountinfo", stats: "kernel-6.1-v4.2.mountstats", mountPoint: "/mnt/nfs",
            expected: ["nfs-version": .ok, "locking": .ok, "cto": .ok, "negative-lookup": .warn], window: 30...60,
            exit: 1),
        Case(
            fixture: "kernel-6.1-v4.1-pos-actimeo3.mountinfo", stats: "kernel-6.1-v4.1-pos-actimeo3.mountstats",
            mountPoint: "/mnt/nfs", expected: ["nfs-version": .ok, "negative-lookup": .ok], window: 0...0, exit: 0),
        Case(
            fixture: "cluster-node.mountinfo", mountPoint: "/srv/share",
            expected: ["nfs-version": .ok, "negative-lookup": .ok, "locking": .ok], window: 0...0, exit: 1),
        Case(
            fixture: "cluster-node.mountinfo", mountPoint: "/mnt/shared data",
            expected: ["noac": .warn, "negative-lookup": .ok, "nfs-version": .ok], window: 0...0, exit: 1),
        Case(
            fixture: "cluster-node.mountinfo", mountPoint: "/mnt/legacy",
            expected: [
                "recovery": .warn, "cto": .warn, "transport": .warn, "transfer-size": .warn,
                "attribute-cache": .warn, "locking": .warn, "negative-lookup": .warn, "nfs-version": .info,
            ],
            window: 120...120, exit: 1),
        Case(
            fixture: "cluster-node.mountinfo", mountPoint: "/mnt/short",
            expected: ["nfs-version": .info, "negative-lookup": .ok], window: 2...4, exit: 1),
        Case(
            fixture: "procfs-nfs.mountinfo", mountPoint: "/mnt/nfs/test",
            expected: ["nfs-version": .info, "transport": .warn], window: 30...60, exit: 1),
    ]

    @Test(arguments: cases)
    func eachFixtureGetsTheFindingsItsOptionsDeserve(_ c: Case) throws {
        let report = Self.offline(c.fixture, c.stats)
        let mount = try #require(report.mounts.first { $0.mountPoint == c.mountPoint })
        let got = Self.severities(mount)
        for (rule, severity) in c.expected { #expect(got[rule] == severity, "rule \(rule)") }
        #expect(mount.negativeLookupWindow.map { $0.minSeconds...$0.maxSeconds } == c.window)
        #expect(report.severity.exitCode == c.exit)
        #expect(mount.findings.allSatisfy { $0.subject == c.mountPoint })
    }

    @Test func everyWarningSaysWhatToSet() {
        let report = Self.offline("cluster-node.mountinfo")
        let warnings = report.allFindings.filter { $0.severity >= .warn && $0.rule != "mountstats" }
        #expect(!warnings.isEmpty)
        #expect(warnings.allSatisfy { $0.fix != nil && $0.option != nil })
    }

    @Test func aTargetDelayAboveTheWindowMakesTheDefaultsAcceptable() throws {
        var rules = MountRules(targetDelay: 60)
        let o = NFSMountOptions(parsing: "vers=4.2")
        #expect(rules.findings(mountPoint: "/x", options: o).first { $0.rule == "negative-lookup" }?.severity == .ok)
        rules.targetDelay = 59
        let f = try #require(rules.findings(mountPoint: "/x", options: o).first { $0.rule == "negative-lookup" })
        #expect(f.severity == .warn && f.message.contains("30–60 s") && f.fix?.contains("lookupcache=pos") == true)
        #expect(f.fix?.contains("a remount cannot change") == true)
    }

    @Test func mountstatsThatContradictsMountinfoIsAFinding() throws {
        // v3's mountinfo (ac* defaults) read against the v4.1 sample's mountstats (ac*=3), re-pointed.
        let stats = Fixture.text("kernel-6.1-v4.1-pos-actimeo3.mountstats")
        let report = Checker.run(
            paths: [],
            CheckInput(
                mountInfo: MountInfo(parsing: Fixture.text("kernel-6.1-v3.mountinfo")),
                mountStats: MountStats(parsing: stats), declared: nil, kernel: nil))
        let contradictions = report.allFindings.filter { $0.rule == "mountstats" }
        #expect(Set(contradictions.compactMap(\.option)) == ["acregmax", "acdirmin", "acdirmax"])
    }

    @Test func noNFSMountsIsUnknown() {
        let report = Checker.run(
            paths: [],
            CheckInput(
                mountInfo: MountInfo(parsing: "27 1 254:0 / / rw - ext4 /dev/vda rw\n"), mountStats: nil, declared: nil,
                kernel: nil))
        #expect(report.severity == .unknown && report.severity.exitCode == 3)
    }

    @Test func garbageInputIsUnknownNotACrash() {
        let report = Checker.run(
            paths: ["/srv"],
            CheckInput(
                mountInfo: MountInfo(parsing: "\u{0}\u{1}garbage\n- - -\n"), mountStats: nil, declared: nil, kernel: nil
            ))
        #expect(report.severity == .crit || report.severity == .unknown)
        #expect(report.findings.contains { $0.rule == "input" })
        #expect(report.warnings.count == 2)
    }

    @Test func theServerURLComesFromTheMountSource() throws {
        let report = Self.offline("cluster-node.mountinfo")
        let urls = Dictionary(
            uniqueKeysWithValues: report.mounts.map {
                ($0.mountPoint ?? "", $0.serverURL?.description ?? "")
            })
        #expect(urls["/srv/share"] == "nfs://filer/export/share?version=4")
        #expect(urls["/mnt/shared data"] == "nfs://[fd00::5]/home dirs?version=4")
        #expect(urls["/mnt/legacy"] == "nfs://oldfiler/vol/legacy?version=3&mountport=635")
        let v3 = Self.offline("kernel-6.1-v3.mountinfo").mounts[0]
        #expect(v3.serverURL?.description == "nfs://10.0.2.100/srv/nfsshare?version=3&nfsport=2049&mountport=20048")
        #expect(ServerURL(mountSource: "no-colon", options: NFSMountOptions()) == nil)
        #expect(ServerURL(mountSource: "[fd00::1", options: NFSMountOptions()) == nil)
    }
}

@Suite struct DriftTests {
    static func report(fstab: String, unit: String? = nil) throws -> (CheckReport, FakeRoot) {
        var files = ["/etc/fstab": fstab]
        if let unit { files["/etc/systemd/system/mnt-nfs.mount"] = unit }
        let root = try FakeRoot(files)
        let report = Checker.run(
            paths: [],
            CheckInput(
                mountInfo: MountInfo(parsing: Fixture.text("kernel-6.1-v4.2.mountinfo")), mountStats: nil,
                declared: DeclaredMounts(root: root.path), kernel: nil))
        return (report, root)
    }

    @Test func fstabLookupcacheNotLiveNeedsUmountAndMount() throws {
        let (report, root) = try Self.report(
            fstab: "10.0.2.100:/srv/nfsshare /mnt/nfs nfs4 rw,vers=4.2,lookupcache=pos 0 0\n")
        defer { root.remove() }
        let drift = report.allFindings.filter { $0.rule == "drift" }
        #expect(drift.count == 1)
        #expect(drift[0].option == "lookupcache" && drift[0].value == "all")
        #expect(drift[0].message == "/etc/fstab:1 declares lookupcache=pos, the live mount has lookupcache=all")
        #expect(drift[0].fix == "umount /mnt/nfs && mount /mnt/nfs; a remount cannot change lookupcache")
    }

    @Test func aMountUnitSaysWhichUnitToRestart() throws {
        let (report, root) = try Self.report(
            fstab: "", unit: "[Mount]\nWhat=10.0.2.100:/srv/nfsshare\nWhere=/mnt/nfs\nType=nfs4\nOptions=actimeo=3\n")
        defer { root.remove() }
        let drift = report.allFindings.filter { $0.rule == "drift" }
        // acregmin=3 is the default anyway
        #expect(Set(drift.compactMap(\.option)) == ["acregmax", "acdirmin", "acdirmax"])
        #expect(drift.allSatisfy { $0.fix?.hasPrefix("systemctl restart mnt-nfs.mount") == true })
    }

    @Test func matchingDeclarationsAndDefaultsAreNoDrift() throws {
        let (report, root) = try Self.report(
            fstab: "10.0.2.100:/srv/nfsshare /mnt/nfs nfs4 vers=4,hard,cto,_netdev 0 0\n")
        defer { root.remove() }
        #expect(report.allFindings.filter { $0.rule == "drift" || $0.rule == "declared" }.isEmpty)
    }

    @Test func twoDeclarationsAndNoneAreBothFindings() throws {
        let line = "10.0.2.100:/srv/nfsshare /mnt/nfs nfs4 defaults 0 0\n"
        let (twice, root) = try Self.report(fstab: line, unit: "[Mount]\nWhat=x:/y\nWhere=/mnt/nfs\nType=nfs4\n")
        defer { root.remove() }
        #expect(twice.allFindings.contains { $0.rule == "declared" && $0.severity == .warn })
        let (none, root2) = try Self.report(fstab: "")
        defer { root2.remove() }
        #expect(none.allFindings.contains { $0.rule == "declared" && $0.severity == .info })
    }
}

@Suite struct LiveCheckTests {
    static func live(_ paths: [String]) -> CheckReport {
        Checker.run(
            paths: paths,
            CheckInput(
                mountInfo: MountInfo(parsing: readWholeFile("/proc/self/mountinfo") ?? ""),
                mountStats: nil, declared: DeclaredMounts(root: "/"), kernel: KernelView(timeout: .seconds(5))))
    }

    @Test func aLocalDirectoryIsNotNFS() throws {
        let report = Self.live([NSTemporaryDirectory()])
        let f = try #require(report.allFindings.first)
        #expect(f.rule == "not-nfs" && f.severity == .crit && report.severity.exitCode == 2)
    }

    @Test func aMissingPathIsNotMounted() {
        let report = Self.live(["/nonexistent/share"])
        #expect(report.allFindings.first?.rule == "not-mounted")
    }

    @Test func aCallThatNeverReturnsIsCutOffAtTheDeadline() {
        let clock = ContinuousClock()
        let start = clock.now
        let result: Int? = withDeadline(.milliseconds(200)) {
            sleep(30); return 1
        }
        #expect(result == nil)
        #expect(clock.now - start < .seconds(10))  // bounded, not the body's 30 s
        #expect(withDeadline(.seconds(5)) { 42 } == 42)
    }
}
