import Testing
@testable import Mounts

@Suite struct NFSMountOptionsTests {
    @Test func emptyTextMeansTheKernelDefaults() {
        let o = NFSMountOptions(parsing: "")
        #expect((o.acregmin, o.acregmax, o.acdirmin, o.acdirmax) == (3, 60, 30, 60))
        #expect(o.lookupcache == .all && o.cto && o.lock && o.recovery == .hard && !o.sync && !o.noac)
        #expect(o.proto == "tcp" && o.localLock == "none" && o.version == nil)
        #expect(o.negativeLookupWindow == 30...60)
    }

    @Test func actimeoSetsAllFourAndLaterOptionsWin() {
        let o = NFSMountOptions(parsing: "actimeo=5,acdirmax=60")
        #expect((o.acregmin, o.acregmax, o.acdirmin, o.acdirmax) == (5, 5, 5, 60))
        let p = NFSMountOptions(parsing: "acdirmax=60,actimeo=5")
        #expect(p.acdirmax == 5)
    }

    @Test func noacZeroesTheCacheAndImpliesSync() {
        let o = NFSMountOptions(parsing: "vers=4.2,noac")
        #expect((o.acregmin, o.acregmax, o.acdirmin, o.acdirmax) == (0, 0, 0, 0))
        #expect(o.sync && o.noac && o.negativeLookupWindow == 0...0)
    }

    @Test(arguments: [
        ("pos", NFSMountOptions.LookupCache.positive), ("positive", .positive), ("none", .none), ("all", .all),
    ])
    func lookupcacheSpellings(_ text: String, _ expected: NFSMountOptions.LookupCache) {
        #expect(NFSMountOptions(parsing: "lookupcache=\(text)").lookupcache == expected)
    }

    @Test func unknownOptionsAreKeptInOrder() {
        let o = NFSMountOptions(parsing: "rw,fsc,x-systemd.automount,lookupcache=sometimes,_netdev")
        #expect(o.other.map(\.name) == ["fsc", "x-systemd.automount", "lookupcache", "_netdev"])
        #expect(o.other[2].value == "sometimes")
        #expect(o.lookupcache == .all)
    }

    @Test func negativeOrHugeNumbersAreKeptAsUnknownNotApplied() {
        let o = NFSMountOptions(parsing: "acdirmax=-5,acregmax=99999999999999999999999")
        #expect(o.acdirmax == 60 && o.acregmax == 60)
        #expect(o.other.map(\.name) == ["acdirmax", "acregmax"])
    }

    @Test func nfs4TypeImpliesVersion4AndVersOverridesIt() {
        #expect(NFSMountOptions(parsing: "hard", fsType: "nfs4").version == "4")
        #expect(NFSMountOptions(parsing: "vers=4.1", fsType: "nfs4").majorVersion == 4)
        #expect(NFSMountOptions(parsing: "nfsvers=3").majorVersion == 3)
    }

    @Test func realKernelMountinfoAndMountstatsAgreeOnceDefaultsAreApplied() throws {
        // mountinfo omits acregmin=3 (the default); mountstats prints all four.
        let entry = try #require(
            MountInfo(parsing: Fixture.text("kernel-6.1-v4.1-pos-actimeo3.mountinfo")).entries.first)
        let live = NFSMountOptions(parsing: entry.superOptions, fsType: entry.fsType)
        let stats = try #require(
            MountStats(parsing: Fixture.text("kernel-6.1-v4.1-pos-actimeo3.mountstats")).devices.first?.options)
        let fromStats = NFSMountOptions(parsing: stats, fsType: "nfs4")
        #expect((live.acregmin, live.acregmax, live.acdirmin, live.acdirmax) == (3, 3, 3, 3))
        #expect((fromStats.acregmin, fromStats.acregmax, fromStats.acdirmin, fromStats.acdirmax) == (3, 3, 3, 3))
        #expect(live.lookupcache == .positive && live.version == "4.1" && live.negativeLookupWindow == 0...0)
    }

    @Test func nolockOnV3ShowsAsLocalLockAllOnTheRealKernel() throws {
        let entry = try #require(MountInfo(parsing: Fixture.text("kernel-6.1-v3.mountinfo")).entries.first)
        let o = NFSMountOptions(parsing: entry.superOptions, fsType: entry.fsType)
        #expect(!o.lock && o.localLock == "all" && o.port == 2049 && o.mountPort == 20048)
    }
}

@Suite struct MountStatsTests {
    @Test func readsARealKernelV42Block() throws {
        let stats = MountStats(parsing: Fixture.text("kernel-6.1-v4.2.mountstats"))
        #expect(stats.warnings.isEmpty)
        let d = try #require(stats.device(mountedOn: "/mnt/nfs"))
        #expect(d.isNFS && d.fsType == "nfs4" && d.statVersion == "1.1" && d.ageSeconds == 1)
        #expect(d.options?.contains("acdirmax=60") == true)
        #expect(d.transport?.proto == "tcp")
        #expect(d.operations["LOOKUP"]?.errors != nil)
        #expect(d.events["vfslookup"] != nil && d.events.count == 27)
    }

    @Test func readsStatvers10EightFieldOpsAndAWrappedCounter() throws {
        let stats = MountStats(parsing: Fixture.text("procfs-v4.0.mountstats"))
        #expect(stats.devices.count == 5 && stats.devices.filter(\.isNFS).count == 1)
        let d = try #require(stats.devices.first { $0.isNFS })
        #expect(d.operations["READ"]?.errors == nil && d.operations["READ"]?.operations == 1298)
        #expect(d.operations["ACCESS"]?.queueMilliseconds == 18446743919241604546)
        #expect(d.bytes["normalreadbytes"] == 1207640230)
    }

    @Test func oneMountsBlocksAloneAreTheSameAsInTheWholeFile() throws {
        let text = Fixture.text("procfs-v4.0.mountstats")
        let alone = MountStats(parsing: text, onlyMountedOn: "/mnt/nfs/test")
        #expect(alone.devices.count == 1 && alone.warnings.isEmpty)
        #expect(alone.devices.first == MountStats(parsing: text).device(mountedOn: "/mnt/nfs/test"))
        #expect(MountStats(parsing: text, onlyMountedOn: "/mnt/nfs").devices.isEmpty)
    }

    @Test func readsRdmaAndSpaceIndentedBlocks() throws {
        let rdma = try #require(MountStats(parsing: Fixture.text("procfs-v3-rdma-nocto.mountstats")).devices.first)
        #expect(rdma.transport?.proto == "rdma" && rdma.operations["NULL"]?.operations == 16)
        #expect(NFSMountOptions(parsing: rdma.options ?? "").cto == false)
        let telegraf = try #require(MountStats(parsing: Fixture.text("telegraf-v3-nolock.mountstats")).devices.first)
        #expect(telegraf.mountPoint == "/NFS" && telegraf.transport?.counters.count == 13)
    }

    @Test func survivesTheInconsistentSample() {
        let stats = MountStats(parsing: Fixture.text("node-exporter-inconsistent.mountstats"))
        #expect(stats.devices.count == 1)
        #expect(stats.devices.first?.transport?.proto == "udp")
    }

    @Test func skipsMalformedLinesWithWarnings() {
        let text = """
            device filer:/x mounted on /mnt/x with fstype nfs statvers=1.1
            \topts:\trw,vers=3
            \tevents:\t1 2 three
            \txprt:\tcarrier-pigeon 1 2
            \tno colon here
            \tper-op statistics
            \t        GETATTR: 1 2 3
            \t         LOOKUP: 5 5 0 1 1 0 1 1 0
            device broken
            """
        let stats = MountStats(parsing: text, source: "bundle")
        #expect(stats.devices.count == 1)
        #expect(stats.devices[0].operations["LOOKUP"]?.operations == 5)
        #expect(stats.devices[0].operations["GETATTR"] == nil)
        #expect(stats.warnings.map(\.line) == [3, 4, 5, 7, 9])
        #expect(stats.warnings.allSatisfy { $0.source == "bundle" })
    }

    @Test func deltaCountsTheCallsBetweenTwoReadings() throws {
        let before = try #require(MountStats(parsing: Fixture.text("kernel-6.1-v3.mountstats")).devices.first)
        var after = before
        after.operations["LOOKUP"]!.operations += 7
        after.operations["GETATTR"]!.operations += 3
        after.events["vfslookup"]! += 7
        let delta = before.delta(to: after)
        #expect(delta.operations["LOOKUP"] == 7 && delta.operations["GETATTR"] == 3 && delta.operations["ACCESS"] == 0)
        #expect(delta.events["vfslookup"] == 7)
    }
}
