import Foundation
import Testing
@testable import Check
@testable import Mounts
import NFSModel
import ServerView

/// The other node as a private kernel mount: its options from a real guest's mountinfo, when `--other-node`
/// takes it, and the error where it cannot be made. The mount itself is made in the guest (scripts/kernel-tests).
@Suite struct PrivateMountTests {
    static func entry(_ fixture: String) -> MountInfoEntry {
        MountInfo(parsing: Fixture.text(fixture)).entries[0]
    }

    static func location(_ m: MountInfoEntry) -> ServerLocation {
        let options = NFSMountOptions(parsing: m.superOptions, fsType: m.fsType)
        return ServerLocation(mount: m, url: ServerURL(mountSource: m.source, options: options)!, path: "/")
    }

    @Test func nfsv4TakesTheNodesAddressesAndFlavourAndCachesNothing() throws {
        let m = Self.entry("kernel-6.1-guest-defaults.mountinfo")
        let r = try NFSMountOptions(parsing: m.superOptions, fsType: m.fsType)
            .privateMount(source: m.source, fsType: m.fsType, timeout: .seconds(10)).get()
        #expect(r.fsType == "nfs4" && r.source == "10.0.2.100:/rw")
        #expect(r.options == "vers=4.2,proto=tcp,addr=10.0.2.100,port=32049,clientaddr=10.0.2.15,sec=sys,"
                + "nosharecache,noac,lookupcache=none,softerr,timeo=50,retrans=1")
    }

    @Test func nfsv3AddsTheMountProtocolAndNoLocks() throws {
        let m = Self.entry("kernel-6.1-guest-v3.mountinfo")
        let r = try NFSMountOptions(parsing: m.superOptions, fsType: m.fsType)
            .privateMount(source: m.source, fsType: m.fsType, timeout: .seconds(4)).get()
        #expect(r.fsType == "nfs")
        #expect(r.options == "vers=3,proto=tcp,addr=10.0.2.100,port=32049,sec=sys,mountaddr=10.0.2.100,"
                + "mountport=32048,mountvers=3,mountproto=tcp,nolock,nosharecache,noac,lookupcache=none,softerr,"
                + "timeo=20,retrans=1")
    }

    @Test func aMountWithoutAddrIsRefusedWithTheReason() throws {
        let r = NFSMountOptions(parsing: "vers=4.2,sec=sys").privateMount(source: "h:/e", fsType: "nfs4",
                                                                         timeout: .seconds(1))
        guard case .failure(let why) = r else { Issue.record("made \(r)"); return }
        #expect(why.description.contains("no addr="))
    }

    @Test func autoTakesTheKernelOnlyWhereLibnfsCannotServe() throws {
        var m = Self.entry("kernel-6.1-guest-defaults.mountinfo")
        let sys = Self.location(m)
        #expect(try sys.privateMount(for: .auto, timeout: .seconds(5)).get() == nil)
        #expect(try sys.privateMount(for: .auto, noNFSv3: true, timeout: .seconds(5)).get()?.fsType == "nfs4")
        #expect(try sys.privateMount(for: .kernel, timeout: .seconds(5)).get() != nil)
        m.superOptions = m.superOptions.replacingOccurrences(of: "sec=sys", with: "sec=krb5p")
        let krb5 = Self.location(m)
        #expect(try krb5.privateMount(for: .auto, timeout: .seconds(5)).get()?.options.contains("sec=krb5p") == true)
        #expect(try krb5.privateMount(for: .libnfs, timeout: .seconds(5)).get() == nil)
    }

    @Test func aFUSEViewHasNoExportToMountPrivately() throws {
        var m = Self.entry("kernel-6.1-guest-defaults.mountinfo")
        (m.fsType, m.source) = ("fuse", "bindfs")
        let l = ServerLocation(mount: m, url: ServerURL(host: "127.0.0.1", export: "/rw"), path: "/")
        #expect(try l.privateMount(for: .auto, noNFSv3: true, timeout: .seconds(5)).get() == nil)
        guard case .failure(let why) = l.privateMount(for: .kernel, timeout: .seconds(5)) else {
            Issue.record("a private mount of a FUSE view")
            return
        }
        #expect(why.description.contains("is fuse"))
    }
}
