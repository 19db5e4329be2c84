import Foundation
import Glibc
import SystemPackage
import Testing
@testable import ServerView

/// Every server-view operation, on NFSv3 and NFSv4, against the real ganesha export /rw.
@Suite struct ServerViewOperationTests {
    static let versions: [ServerURL.Version] = [.v3, .v4]

    @Test(arguments: versions)
    func exportRootIsADirectory(_ version: ServerURL.Version) async throws {
        let view = try await TestServer.connect("rw", version)
        let root = try await view.stat("/")
        #expect(root.type == .directory)
        #expect(root.mode == 0o777)
    }

    /// A server that sends NFSv4 owners as names (the test server's second ganesha: daemon@server.test):
    /// the numeric owner comes over NFSv3, for a named account and for an id without a name alike.
    @Test func numericOwnerIsReadOverNFSv3FromAServerThatSendsNames() async throws {
        let url = try ServerURL(parsing: TestServer.value("NFSKEEPER_TEST_NAMED_URL_RW_V4"))
        let backing = try TestServer.value("NFSKEEPER_TEST_NAMED_DIR_RW")
        for (uid, gid) in [(UInt32(1), UInt32(1)), (4242, 4343)] {
            let name = TestServer.scratchName("owner-\(uid)")
            #expect(FileManager.default.createFile(atPath: backing + name, contents: nil))
            defer { unlink(backing + name) }
            #expect(chown(backing + name, uid, gid) == 0)
            let owner = try await ServerView.numericOwner(url, path: name, timeout: .seconds(10))
            #expect(owner.uid == uid && owner.gid == gid)
        }
    }

    @Test(arguments: versions)
    func mkdirSetsModeAndOwner(_ version: ServerURL.Version) async throws {
        let view = try await TestServer.connect("rw", version, as: NFSCredentials(uid: 4242, gid: 4343))
        let dir = TestServer.scratchName("mkdir")
        try await view.mkdir(dir, mode: FilePermissions(rawValue: 0o750))
        let attrs = try await view.stat(dir)
        #expect(attrs.type == .directory)
        #expect(attrs.mode == 0o750)
        #expect(attrs.uid == 4242 && attrs.gid == 4343)
        try await view.rmdir(dir)
        #expect(try await view.exists(dir) == false)
    }

    @Test(arguments: versions)
    func exclusiveCreateKeepsTheModeAndRefusesASecondCreate(_ version: ServerURL.Version) async throws {
        let view = try await TestServer.connect("rw", version)
        let file = TestServer.scratchName("create")
        try await view.createExclusive(file, mode: FilePermissions(rawValue: 0o640))
        let attrs = try await view.stat(file)
        #expect(attrs.type == .regular && attrs.size == 0)
        #expect(attrs.mode == 0o640)  // on NFSv4 only after the server view's SETATTR repair
        let second = await #expect(throws: ServerViewError.self) {
            try await view.createExclusive(file, mode: FilePermissions(rawValue: 0o600))
        }
        #expect(second?.errno == .fileExists)
        #expect(try await view.stat(file).mode == 0o640)
        try await view.unlink(file)
    }

    @Test(arguments: versions)
    func writeAppendAndReadBack(_ version: ServerURL.Version) async throws {
        let view = try await TestServer.connect("rw", version)
        let file = TestServer.scratchName("append")
        try await view.createExclusive(file, mode: .ownerReadWrite)
        try await view.write(file, Array("hello".utf8))
        let size = try await view.append(file, Array(", world".utf8))
        #expect(size == 12)
        #expect(try await view.stat(file).size == 12)
        #expect(String(decoding: try await view.read(file, count: 64), as: UTF8.self) == "hello, world")
        // The backing file holds the same bytes: the write reached the server, not a cache.
        let onDisk = try String(contentsOfFile: try TestServer.backingDirectory("rw") + file, encoding: .utf8)
        #expect(onDisk == "hello, world")
        try await view.unlink(file)
    }

    @Test(arguments: versions)
    func readdirListsNamesWithAttributes(_ version: ServerURL.Version) async throws {
        let view = try await TestServer.connect("rw", version)
        let dir = TestServer.scratchName("readdir")
        try await view.mkdir(dir, mode: .ownerReadWriteExecute)
        try await view.createExclusive(dir + "/a", mode: .ownerReadWrite)
        try await view.append(dir + "/a", [1, 2, 3])
        try await view.mkdir(dir + "/sub", mode: .ownerReadWriteExecute)
        let entries = try await view.readdir(dir).sorted { $0.name < $1.name }
        #expect(entries.map(\.name) == ["a", "sub"])
        #expect(entries[0].attributes.type == .regular && entries[0].attributes.size == 3)
        #expect(entries[1].attributes.type == .directory)
        try await view.unlink(dir + "/a")
        try await view.rmdir(dir + "/sub")
        try await view.rmdir(dir)
    }

    @Test(arguments: versions)
    func renameMovesTheName(_ version: ServerURL.Version) async throws {
        let view = try await TestServer.connect("rw", version)
        let from = TestServer.scratchName("rename-from"), to = TestServer.scratchName("rename-to")
        try await view.createExclusive(from, mode: .ownerReadWrite)
        let fileid = try await view.stat(from).fileid
        try await view.rename(from, to: to)
        #expect(try await view.exists(from) == false)
        #expect(try await view.stat(to).fileid == fileid)
        try await view.unlink(to)
    }

    @Test(arguments: versions)
    func rmdirRefusesANonEmptyDirectory(_ version: ServerURL.Version) async throws {
        let view = try await TestServer.connect("rw", version)
        let dir = TestServer.scratchName("notempty")
        try await view.mkdir(dir, mode: .ownerReadWriteExecute)
        try await view.createExclusive(dir + "/f", mode: .ownerReadWrite)
        let error = await #expect(throws: ServerViewError.self) { try await view.rmdir(dir) }
        #expect(error?.errno == .directoryNotEmpty)
        try await view.unlink(dir + "/f")
        try await view.rmdir(dir)
    }

    @Test(arguments: versions)
    func chownAsRootChangesFilesAndDirectories(_ version: ServerURL.Version) async throws {
        // NFSv4 directories go through the view's NFSv3 route (libnfs 4.0.0 cannot SETATTR them).
        let view = try await TestServer.connect("rw", version)
        let dir = TestServer.scratchName("chown")
        try await view.mkdir(dir, mode: .ownerReadWriteExecute)
        try await view.createExclusive(dir + "/f", mode: .ownerReadWrite)
        try await view.chown(dir + "/f", uid: 1500, gid: 1501)
        try await view.chown(dir, uid: 1500, gid: 1501)
        try await view.chmod(dir, mode: FilePermissions(rawValue: 0o2770))
        let d = try await view.stat(dir), f = try await view.stat(dir + "/f")
        #expect(f.uid == 1500 && f.gid == 1501)
        #expect(d.uid == 1500 && d.gid == 1501 && d.mode == 0o2770)
        try await view.unlink(dir + "/f")
        try await view.rmdir(dir)
    }

    @Test(arguments: versions)
    func statvfsReportsTheExportedFilesystem(_ version: ServerURL.Version) async throws {
        let view = try await TestServer.connect("rw", version)
        let fs = try await view.statvfs()
        #expect(fs.totalBytes > 0 && fs.availableBytes <= fs.totalBytes && fs.freeBytes <= fs.totalBytes)
        #expect(fs.totalFiles > 0 && fs.maxNameLength >= 255)
    }

    @Test(arguments: versions)
    func aNewFileShowsTheServersClockAndTheRealOwner(_ version: ServerURL.Version) async throws {
        // Server and client share one clock here, so the offset is the measurement's own error.
        let view = try await TestServer.connect("rw", version)
        let file = TestServer.scratchName("clock")
        let reading = try await view.readNewFile(file)
        let clock = try #require(reading.clock)
        #expect(abs(clock.offsetSeconds) < 0.5)
        #expect(clock.uncertaintySeconds >= 0 && clock.uncertaintySeconds < 0.5)
        #expect(abs(clock.serverTime.timeIntervalSince1970 - Date().timeIntervalSince1970) < 5)
        #expect(reading.owner == 0, "the rw export does not squash root")
        #expect(version == .v3 || reading.ownerEvidence.contains("NFSv3"))
        #expect(try await view.exists(file) == false, "removed again")
    }

    /// A CREATE the server did but whose reply was lost (it times out) leaves no file: the name is the
    /// call's alone, so it is removed all the same.
    @Test(arguments: versions)
    func aNewFileWhoseCreateReplyIsLostIsRemovedAllTheSame(_ version: ServerURL.Version) async throws {
        var url = try TestServer.url("rw", version)
        let relay = try TCPRelay(to: try #require(url.nfsPort), losesReplies: true)
        defer { relay.cut() }
        url.nfsPort = relay.port
        let view = try await ServerView.connect(url, as: .root, timeout: .seconds(1))
        let file = TestServer.scratchName("lost-reply")
        relay.loseReply(toProcedure: version == .v3 ? 8 : 1)  // CREATE; COMPOUND (the OPEN)
        await #expect(throws: ServerViewError.self) { try await view.readNewFile(file) }
        #expect(relay.lostTheReply, "the CREATE's reply was lost")
        let backing = try TestServer.backingDirectory("rw")
        #expect(!FileManager.default.fileExists(atPath: backing + file), "the server's new file was left")
    }

    /// A name swapped for a symlink between checks is never followed: the new file is made with
    /// CREATE EXCLUSIVE and changed only through its handle; NFSv4 attribute changes go over NFSv3.
    @Test(arguments: versions)
    func noAttributeChangeFollowsASymlink(_ version: ServerURL.Version) async throws {
        let backing = try TestServer.backingDirectory("rw")
        let dir = TestServer.scratchName("swap")
        try FileManager.default.createDirectory(atPath: backing + dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: backing + dir) }
        FileManager.default.createFile(atPath: backing + dir + "/victim", contents: Data("secret".utf8),
                                       attributes: [.posixPermissions: 0o644])
        #expect(symlink("victim", backing + dir + "/link") == 0)
        let view = try await TestServer.connect("rw", version)
        await #expect(throws: ServerViewError.self) { try await view.readNewFile(dir + "/link") }
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: backing + dir + "/link")) == "victim",
                "a CREATE the server refused made nothing, so nothing is removed")
        try? await view.chmod(dir + "/link", mode: .ownerReadWrite)
        let victim = try FileManager.default.attributesOfItem(atPath: backing + dir + "/victim")
        #expect(victim[.posixPermissions] as? Int == 0o644)
        #expect(try String(contentsOfFile: backing + dir + "/victim", encoding: .utf8) == "secret")
    }

    /// A killed run's temporary file at the export root is removed by the next run of the same node;
    /// another node's, a live process's and a symlink under such a name stay.
    @Test func leftoversOfKilledRunsAreRemoved() async throws {
        let backing = try TestServer.backingDirectory("rw")
        let dead = try AgentProcess(["--version"])
        let deadPid = dead.pid
        _ = dead.wait()
        let ours = ".nfskeeper-server-leftover.node-\(deadPid)-1a2b"
        let live = ".nfskeeper-server-leftover.node-1-1a2b"  // PID 1 always runs (this process is excluded anyway)
        let other = ".nfskeeper-server-other.node-\(deadPid)-1a2b"
        let link = ".nfskeeper-server-leftover.node-\(deadPid)-3c4d"
        for name in [ours, live, other] { FileManager.default.createFile(atPath: backing + "/" + name, contents: nil) }
        #expect(symlink("/etc/passwd", backing + "/" + link) == 0)
        defer {
            for name in [ours, live, other, link] { try? FileManager.default.removeItem(atPath: backing + "/" + name) }
        }
        let view = try await TestServer.connect("rw", .v3)
        #expect(await view.removeLeftovers(in: "/", purpose: "server", node: "leftover.node") == [ours])
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: backing))
        #expect(!left.contains(ours) && left.isSuperset(of: [live, other, link]))
    }

    @Test(arguments: versions)
    func namesWithSpacesAndNonASCIIArriveIntact(_ version: ServerURL.Version) async throws {
        let view = try await TestServer.connect("rw", version)
        let dir = TestServer.scratchName("names")
        let name = "Données de l'équipe 数据 \(version.rawValue).csv"
        try await view.mkdir(dir, mode: .ownerReadWriteExecute)
        try await view.createExclusive(dir + "/" + name, mode: .ownerReadWrite)
        #expect(try await view.readdir(dir).map(\.name) == [name])
        #expect(FileManager.default.fileExists(atPath: try TestServer.backingDirectory("rw") + dir + "/" + name))
        try await view.unlink(dir + "/" + name)
        try await view.rmdir(dir)
    }

    @Test(arguments: versions)
    func credentialsAreChosenPerConnection(_ version: ServerURL.Version) async throws {
        let alice = try await TestServer.connect("rw", version, as: NFSCredentials(uid: 2001, gid: 2001))
        let bob = try await TestServer.connect("rw", version, as: NFSCredentials(uid: 2002, gid: 2002))
        let a = TestServer.scratchName("alice"), b = TestServer.scratchName("bob")
        try await alice.createExclusive(a, mode: .ownerReadWrite)
        try await bob.createExclusive(b, mode: .ownerReadWrite)
        #expect(try await bob.stat(a).uid == 2001)
        #expect(try await alice.stat(b).uid == 2002)
        // Mode 0600 and AUTH_SYS: bob may not read alice's file.
        let denied = await #expect(throws: ServerViewError.self) { _ = try await bob.read(a, count: 1) }
        #expect(denied?.errno == .permissionDenied)
        try await alice.unlink(a)
        try await bob.unlink(b)
    }

    @Test(arguments: versions)
    func symlinksAreReportedNotFollowed(_ version: ServerURL.Version) async throws {
        let view = try await TestServer.connect("rw", version)
        let link = TestServer.scratchName("link")
        // Planted on the server's disk: the server view has no symlink call, by design.
        try FileManager.default.createSymbolicLink(atPath: try TestServer.backingDirectory("rw") + link,
                                                   withDestinationPath: "/etc")
        defer { try? FileManager.default.removeItem(atPath: try TestServer.backingDirectory("rw") + link) }
        #expect(try await view.stat(link).type == .symlink)
    }
}
