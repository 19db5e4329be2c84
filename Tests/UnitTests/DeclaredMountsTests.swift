import Testing
@testable import Mounts

@Suite struct DeclaredUnitTests {
    static let files = [
        "/etc/fstab": """
        # <file system> <mount point> <type> <options> <dump> <pass>
        /dev/vda1 / ext4 defaults 0 1
        filer:/export/share  /srv/share  nfs4  rw,hard,vers=4.2,lookupcache=pos,_netdev  0 0
        filer:/export/odd\\040name /mnt/odd\\040name nfs defaults 0 0
        broken-line
        """,
        "/etc/systemd/system/var-lib-rstudio\\x2dpm.mount": """
        [Unit]
        Description=Package Manager data
        [Mount]
        What=filer:/export/rspm
        Where=/var/lib/rstudio-pm
        Type=nfs
        Options=vers=3,actimeo=3,nolock
        [Install]
        WantedBy=remote-fs.target
        """,
        "/run/systemd/system/tmp.mount": "[Mount]\nWhat=tmpfs\nWhere=/tmp\nType=tmpfs\n",
        "/etc/auto.master": """
        /home  /etc/auto.home  --timeout=60 -rw,vers=4.2
        /-     /etc/auto.direct
        +auto.master
        /net   -hosts
        """,
        "/etc/auto.home": """
        alice  -lookupcache=pos  filer:/export/home/alice
        *      filer:/export/home/&
        local  :/dev/sdb1
        junk
        """,
        "/etc/auto.direct": "/data/shared  -fstype=nfs4,actimeo=10  filer:/export/shared\n",
    ]

    @Test func readsFstabNFSLinesOnlyWithEscapesAndLineNumbers() throws {
        let root = try FakeRoot(Self.files)
        defer { root.remove() }
        let declared = DeclaredMounts(root: root.path)
        let fstab = declared.mounts.filter { $0.origin == .fstab }
        #expect(fstab.map(\.mountPoint) == ["/srv/share", "/mnt/odd name"])
        #expect(fstab[0].line == 3 && fstab[0].fsType == "nfs4" && fstab[0].options.contains("lookupcache=pos"))
        #expect(fstab[1].source == "filer:/export/odd name" && fstab[1].options == "defaults")
        #expect(declared.warnings.contains { $0.source == "/etc/fstab" && $0.line == 5 })
    }

    @Test func readsNFSMountUnitsAndIgnoresOthers() throws {
        let root = try FakeRoot(Self.files)
        defer { root.remove() }
        let units = DeclaredMounts(root: root.path).mounts.filter { $0.origin == .systemd }
        #expect(units.count == 1)
        #expect(units[0].mountPoint == "/var/lib/rstudio-pm" && units[0].options == "vers=3,actimeo=3,nolock")
        #expect(units[0].file.hasSuffix("var-lib-rstudio\\x2dpm.mount"))
    }

    @Test func readsAutofsIndirectAndDirectMapsMergingOptions() throws {
        let root = try FakeRoot(Self.files)
        defer { root.remove() }
        let declared = DeclaredMounts(root: root.path)
        let autofs = declared.mounts.filter { $0.origin == .autofs }
        #expect(autofs.map(\.mountPoint) == ["/home/alice", "/home/*", "/data/shared"])
        #expect(autofs[0].options == "rw,vers=4.2,lookupcache=pos")
        #expect(autofs[2].fsType == "nfs4" && autofs[2].options == "fstype=nfs4,actimeo=10")
        #expect(declared.warnings.contains { $0.source == "/etc/auto.home" && $0.line == 4 })
        #expect(declared.declarations(for: "/home/alice").count == 1)
    }

    @Test func windowsLineEndingsAreLinesToo() {
        var declared = DeclaredMounts(root: "/nonexistent")
        declared.parseFstab(
            "# edited elsewhere\r\nfiler:/a /mnt/a nfs4 lookupcache=pos 0 0\r\nfiler:/b /mnt/b nfs defaults 0 0\r\n",
            file: "fstab")
        #expect(declared.mounts.map(\.mountPoint) == ["/mnt/a", "/mnt/b"])
        #expect(declared.mounts.map(\.line) == [2, 3])
        let info = MountInfo(
            parsing: "27 1 254:0 / / rw - ext4 /dev/vda rw\r\n60 27 0:50 / /srv rw - nfs4 f:/x rw,vers=4.2\r\n")
        #expect(info.entries.map(\.mountPoint) == ["/", "/srv"] && info.entries[1].superOptions == "rw,vers=4.2")
        let stats = MountStats(parsing: "device f:/x mounted on /srv with fstype nfs4 statvers=1.1\r\n\tage:\t7\r\n")
        #expect(stats.devices.first?.ageSeconds == 7 && stats.warnings.isEmpty)
    }

    @Test func aMissingRootDeclaresNothing() {
        let declared = DeclaredMounts(root: "/nonexistent-\(UInt64.random(in: 0...UInt64.max))")
        #expect(declared.mounts.isEmpty && declared.warnings.isEmpty)
    }
}
