import Testing
@testable import Advice
@testable import Mounts

@Suite struct AdviceTests {
    static func fstab(_ line: String) -> DeclaredMount {
        var d = DeclaredMounts(root: "/nonexistent")
        d.parseFstab(line, file: "/etc/fstab")
        return d.mounts[0]
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var live: String
        var role: Role
        var set: [String]
        var remove: [String]
        var after: ClosedRange<Int>
        var testDescription: String { "\(live) as \(role.rawValue)" }
    }

    static let cases: [Case] = [
        Case(live: "vers=4.2", role: .packageManager, set: ["lookupcache=pos"], remove: [], after: 0...0),
        Case(live: "vers=4.2", role: .workbenchScratch, set: ["lookupcache=pos"], remove: [], after: 0...0),
        Case(live: "vers=4.2", role: .workbenchHome, set: ["acdirmin=5", "acdirmax=5"], remove: [], after: 5...5),
        Case(live: "vers=4.2,lookupcache=pos", role: .generic, set: [], remove: [], after: 0...0),
        Case(live: "vers=4.2,acdirmin=2,acdirmax=4", role: .generic, set: [], remove: [], after: 2...4),
        Case(live: "vers=4.2,noac", role: .generic, set: ["lookupcache=pos"], remove: ["noac"], after: 0...0),
        Case(
            live: "vers=3,soft,nolock,nocto,proto=udp,rsize=8192", role: .generic,
            set: ["lookupcache=pos", "hard", "proto=tcp"], remove: ["soft", "nolock", "nocto", "rsize"], after: 0...0),
        Case(live: "vers=4.2,sync", role: .generic, set: ["lookupcache=pos"], remove: ["sync"], after: 0...0),
    ]

    @Test(arguments: cases)
    func eachRuleFiresAndTheDelayAfterIsComputed(_ c: Case) {
        let a = Advisor.advise(
            mountPoint: "/srv", options: NFSMountOptions(parsing: c.live, fsType: "nfs4"), declared: [],
            role: c.role, targetDelay: 5)
        #expect(a.set == c.set)
        #expect(a.remove == c.remove)
        #expect(a.delayAfter.minSeconds...a.delayAfter.maxSeconds == c.after)
        #expect(a.changesNothing == (c.set.isEmpty && c.remove.isEmpty))
        #expect(a.changesNothing || a.steps.contains { $0.contains("umount") })
    }

    @Test func theEditedFstabLineKeepsTheAdminsOtherOptionsAndSpacing() throws {
        let d = Self.fstab(
            "filer:/export/rspm\t/var/lib/rstudio-pm  nfs   rw,vers=4.2,_netdev,x-systemd.automount,actimeo=60  0 0")
        let a = Advisor.advise(
            mountPoint: "/var/lib/rstudio-pm", options: NFSMountOptions(parsing: "vers=4.2,actimeo=60"),
            declared: [d], role: .packageManager, targetDelay: 5)
        let edited = try #require(a.declaration)
        #expect(
            edited.after
                == "filer:/export/rspm\t/var/lib/rstudio-pm  nfs   "
                + "rw,vers=4.2,_netdev,x-systemd.automount,actimeo=60,lookupcache=pos  0 0"
        )
        #expect(a.steps[0] == "edit /etc/fstab:1 as shown")
        #expect(a.steps.contains { $0.contains("a remount (mount -o remount) cannot change") })
    }

    @Test func aBoundedWindowReplacesActimeoAndExistingAcdirOptionsInPlace() {
        #expect(
            Advisor.edit(options: "rw,actimeo=60,hard", set: ["acdirmin=5", "acdirmax=5"], remove: [])
                == "rw,hard,acdirmin=5,acdirmax=5")
        #expect(
            Advisor.edit(options: "rw,acdirmax=60,lookupcache=all", set: ["lookupcache=pos"], remove: [])
                == "rw,acdirmax=60,lookupcache=pos")
        #expect(Advisor.edit(options: "defaults", set: ["lookupcache=pos"], remove: []) == "lookupcache=pos")
        #expect(
            Advisor.edit(options: "soft,nolock,_netdev", set: ["hard"], remove: ["soft", "nolock"]) == "_netdev,hard")
    }

    @Test func aMountUnitGetsItsOptionsLineAndARestart() throws {
        var d = DeclaredMounts(root: "/nonexistent")
        d.parseMountUnit(
            "[Mount]\nWhat=f:/x\nWhere=/mnt/x\nType=nfs4\nOptions=vers=4.2,_netdev\n",
            file: "/etc/systemd/system/mnt-x.mount")
        let a = Advisor.advise(
            mountPoint: "/mnt/x", options: NFSMountOptions(parsing: "vers=4.2"), declared: d.mounts,
            role: .generic, targetDelay: 5)
        #expect(a.declaration?.after == "Options=vers=4.2,_netdev,lookupcache=pos")
        #expect(a.steps.contains("stop what uses /mnt/x, then: systemctl restart mnt-x.mount"))
    }

    @Test func anAutofsEntryGetsItsOwnOptionsEdited() throws {
        var d = DeclaredMounts(root: "/nonexistent")
        d.parseAutofsMap(
            "alice  -rw,soft  filer:/home/alice\nbob  filer:/home/bob\n", file: "/etc/auto.home", mountPoint: "/home",
            masterOptions: "")
        let alice = Advisor.advise(
            mountPoint: "/home/alice", options: NFSMountOptions(parsing: "vers=4.2,soft"),
            declared: [d.mounts[0]], role: .workbenchHome, targetDelay: 10)
        #expect(alice.declaration?.after == "alice  -rw,acdirmin=10,acdirmax=10,hard  filer:/home/alice")
        let bob = Advisor.advise(
            mountPoint: "/home/bob", options: NFSMountOptions(parsing: "vers=4.2"),
            declared: [d.mounts[1]], role: .generic, targetDelay: 5)
        #expect(bob.declaration?.after == "bob  -lookupcache=pos  filer:/home/bob")
        #expect(bob.steps.contains { $0.contains("autofs mounts it anew") })
    }

    @Test func pathsInStepsAreShellQuoted() {
        let a = Advisor.advise(
            mountPoint: "/mnt/shared data", options: NFSMountOptions(parsing: "vers=4.2"), declared: [],
            role: .generic, targetDelay: 5)
        #expect(
            a.steps.contains(
                "stop what uses '/mnt/shared data', then: umount '/mnt/shared data' && mount '/mnt/shared data'"))
    }
}
