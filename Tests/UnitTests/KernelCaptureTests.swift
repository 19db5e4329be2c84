import Testing
@testable import Check
@testable import Mounts
import Reports

/// /proc as Debian's 6.1 kernel wrote it for each option set (captured by scripts/kernel-tests):
/// what mountinfo omits, how noac and actimeo print, and what `check` makes of each.
@Suite struct KernelCaptureTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var window: ClosedRange<Int>
        var lookupcache: NFSMountOptions.LookupCache
        var extra: [String: Severity] = [:]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "defaults", window: 30...60, lookupcache: .all, extra: ["negative-lookup": .warn]),
        Case(name: "pos", window: 0...0, lookupcache: .positive, extra: ["negative-lookup": .ok]),
        Case(name: "none", window: 0...0, lookupcache: .none, extra: ["negative-lookup": .info]),
        Case(name: "acdir2-4", window: 2...4, lookupcache: .all, extra: ["negative-lookup": .ok]),
        Case(name: "actimeo3", window: 3...3, lookupcache: .all, extra: ["negative-lookup": .ok]),
        Case(name: "noac", window: 0...0, lookupcache: .all, extra: ["noac": .warn]),
        Case(name: "nocto", window: 30...60, lookupcache: .all, extra: ["cto": .warn]),
        Case(name: "v3", window: 30...60, lookupcache: .all, extra: ["locking": .warn, "nfs-version": .info]),
        Case(name: "v3-pos", window: 0...0, lookupcache: .positive, extra: ["locking": .warn]),
    ]

    @Test(arguments: cases)
    func checkReadsEachRealKernelOptionSet(_ c: Case) throws {
        let report = Checker.run(
            paths: [],
            CheckInput(
                mountInfo: MountInfo(parsing: Fixture.text("kernel-6.1-guest-\(c.name).mountinfo")),
                mountStats: MountStats(parsing: Fixture.text("kernel-6.1-guest-\(c.name).mountstats")),
                declared: nil, kernel: nil))
        #expect(report.warnings.isEmpty)
        let mount = try #require(report.mounts.first)
        #expect(mount.mountPoint == "/mnt/\(c.name)")
        #expect(mount.effective?.lookupcache == c.lookupcache)
        #expect(mount.negativeLookupWindow.map { $0.minSeconds...$0.maxSeconds } == c.window)
        // mountinfo (defaults omitted) and mountstats (ac* always printed) agree once defaults apply.
        #expect(!mount.findings.contains { $0.rule == "mountstats" })
        for (rule, severity) in c.extra {
            #expect(mount.findings.first { $0.rule.rawValue == rule }?.severity == severity, "\(rule)")
        }
        #expect(mount.serverURL?.description.hasPrefix("nfs://10.0.2.100/rw?version=") == true)
    }

    @Test func noacPrintsZeroesAndSyncAndActimeoOmitsTheDefaultAcregmin() throws {
        let noac = try #require(MountInfo(parsing: Fixture.text("kernel-6.1-guest-noac.mountinfo")).entries.first)
        #expect(
            noac.superOptions.hasPrefix("rw,sync,vers=4.2")
                && noac.superOptions.contains("acregmin=0,acregmax=0,acdirmin=0,acdirmax=0"))
        let actimeo = try #require(
            MountInfo(parsing: Fixture.text("kernel-6.1-guest-actimeo3.mountinfo")).entries.first)
        #expect(
            !actimeo.superOptions.contains("acregmin")
                && actimeo.superOptions.contains("acregmax=3,acdirmin=3,acdirmax=3"))
    }
}
