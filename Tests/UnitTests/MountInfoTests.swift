import Testing
@testable import Mounts

@Suite struct MountInfoTests {
    let node = MountInfo(parsing: Fixture.text("cluster-node.mountinfo"))

    @Test func readsEveryFieldOfARealKernelLine() throws {
        let info = MountInfo(parsing: Fixture.text("kernel-6.1-v3.mountinfo"))
        #expect(info.warnings.isEmpty)
        let e = try #require(info.entries.first)
        #expect(e.mountID == 38 && e.parentID == 30 && e.major == 0 && e.minor == 32)
        #expect(e.root == "/" && e.mountPoint == "/mnt/nfs" && e.mountOptions == ["rw", "relatime"])
        #expect(e.optionalFields.isEmpty)
        #expect(e.fsType == "nfs" && e.source == "10.0.2.100:/srv/nfsshare" && e.isNFS)
        #expect(e.superOptions.hasPrefix("rw,vers=3,rsize=1048576"))
    }

    @Test func decodesOctalEscapesInPointsAndSources() throws {
        let e = try #require(node.entries.first { $0.mountID == 63 })
        #expect(e.mountPoint == "/mnt/shared data")
        #expect(e.source == "[fd00::5]:/home dirs")
        #expect(unescapeOctal("a\\011b\\012c\\134d") == "a\tb\nc\\d")
        #expect(unescapeOctal("trailing\\04") == "trailing\\04")  // too short: kept as written
        #expect(unescapeOctal("\\777") == "\\777")  // over 255: kept as written
    }

    @Test func keepsOptionalFieldsAndSkipsMalformedLinesWithTheirNumber() {
        #expect(node.entries.first { $0.mountID == 61 }?.optionalFields == ["shared:41", "master:40"])
        #expect(node.entries.count == 8)
        #expect(node.warnings.count == 1)
        #expect(node.warnings.first?.line == 8)
        #expect(node.warnings.first?.description.contains("separator") == true)
    }

    @Test func theTopOfStackedMountsWins() throws {
        let table = MountTable(node)
        let top = try #require(table.mount(containing: "/srv/share/packages/x.tar.gz"))
        #expect(top.mountID == 61 && top.fsType == "nfs4")
        #expect(table.nfsMounts.contains { $0.mountID == 60 } == false)
    }

    @Test func findsBindMountsAndMatchesComponentWise() throws {
        let table = MountTable(node)
        let bind = try #require(table.mount(containing: "/var/lib/rstudio-launcher/job1"))
        #expect(bind.root == "/Local" && bind.isNFS)
        #expect(table.mount(containing: "/srv/shareholder")?.mountPoint == "/")
        #expect(table.mount(containing: "/mnt/shared data/x/../y")?.mountID == 63)
        #expect(table.mount(containing: "/")?.mountID == 27)
    }

    @Test func theDeviceNumberPicksTheMountThatReallyHoldsThePath() {
        // Same path prefix, but the file's st_dev says it lives on the root filesystem.
        let table = MountTable(node)
        #expect(table.mount(containing: "/srv/share/x", device: (major: 254, minor: 0))?.mountID == 27)
        #expect(table.mount(containing: "/srv/share/x", device: (major: 0, minor: 51))?.mountID == 61)
    }
}
