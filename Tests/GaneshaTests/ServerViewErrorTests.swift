import Foundation
import Glibc
import SystemPackage
import Testing
@testable import ServerView

/// What goes wrong, and how the server view says so.
@Suite struct ServerViewErrorTests {
    @Test(arguments: [ServerURL.Version.v3, .v4])
    func aClosedPortIsUnreachableNotMissing(_ version: ServerURL.Version) async throws {
        let port = try SilentServer.unusedPort()
        let url = ServerURL(host: "127.0.0.1", export: "/rw", version: version, nfsPort: port, mountPort: port)
        let error = await #expect(throws: ServerViewError.self) {
            _ = try await ServerView.connect(url, timeout: .seconds(2))
        }
        #expect(error?.errno == .connectionRefused)
        #expect(error?.isUnreachable == true && error?.isTimeout == false && error?.isServerAnswer == false)
        #expect(error?.description.contains("127.0.0.1 port \(port)") == true)
    }

    @Test(arguments: [ServerURL.Version.v3, .v4])
    func aServerThatNeverAnswersTimesOut(_ version: ServerURL.Version) async throws {
        // Accepts TCP connections and never replies: a hung server, as a hard mount would see it.
        let silent = try SilentServer()
        defer { silent.stop() }
        let url = ServerURL(
            host: "127.0.0.1", export: "/rw", version: version, nfsPort: silent.port, mountPort: silent.port)
        let error = await #expect(throws: ServerViewError.self) {
            _ = try await ServerView.connect(url, timeout: .seconds(1))
        }
        #expect(error?.isTimeout == true)
        #expect(error?.operation == "MOUNT")
    }

    @Test(arguments: [ServerURL.Version.v3, .v4])
    func aMissingExportIsTheServersAnswer(_ version: ServerURL.Version) async throws {
        var url = try TestServer.url("rw", version)
        url.export = "/no-such-export"
        let error = await #expect(throws: ServerViewError.self) { _ = try await ServerView.connect(url) }
        #expect(error?.isServerAnswer == true)
        #expect(error?.server == "127.0.0.1:/no-such-export")
    }

    @Test(arguments: [ServerURL.Version.v3, .v4])
    func aMissingFileIsENOENTWithOperationServerAndPath(_ version: ServerURL.Version) async throws {
        let view = try await TestServer.connect("rw", version)
        let error = await #expect(throws: ServerViewError.self) { _ = try await view.stat("/no/such/file") }
        #expect(error?.errno == .noSuchFileOrDirectory)
        #expect(error?.isServerAnswer == true)
        #expect(
            error?.description.hasPrefix("GETATTR '/no/such/file' on 127.0.0.1:/rw: No such file or directory") == true)
    }

    @Test(arguments: [ServerURL.Version.v3, .v4])
    func writingToTheReadOnlyExportIsEROFS(_ version: ServerURL.Version) async throws {
        let view = try await TestServer.connect("ro", version)
        let name = TestServer.scratchName("ro")
        let error = await #expect(throws: ServerViewError.self) {
            try await view.createExclusive(name, mode: .ownerReadWrite)
        }
        #expect(error?.errno == .readOnlyFileSystem)
        let mkdirError = await #expect(throws: ServerViewError.self) {
            try await view.mkdir(name, mode: .ownerReadWriteExecute)
        }
        #expect(mkdirError?.errno == .readOnlyFileSystem)
        #expect(try await view.stat("/README").type == .regular)  // reading still works
    }

    @Test(arguments: [ServerURL.Version.v3, .v4])
    func rootIsSquashedOnTheSquashExport(_ version: ServerURL.Version) async throws {
        let root = try await TestServer.connect("squash", version)
        let name = TestServer.scratchName("squash")
        try await root.createExclusive(name, mode: .ownerReadWrite)
        #expect(try await root.stat(name).uid == 65534)
        // Root is nobody here: chown is refused, as it is through a kernel mount.
        let error = await #expect(throws: ServerViewError.self) { try await root.chown(name, uid: 998, gid: 998) }
        #expect(error?.errno == .notPermitted)
        try await root.unlink(name)
    }

    @Test func theOwnerCanCreateOnTheSquashExportWithItsOwnCredentials() async throws {
        // The provisioning route around root squash: act as the owner over AUTH_SYS.
        let owner = try await TestServer.connect("squash", .v3, as: NFSCredentials(uid: 998, gid: 997))
        let dir = TestServer.scratchName("owner")
        try await owner.mkdir(dir, mode: FilePermissions(rawValue: 0o755))
        let attrs = try await owner.stat(dir)
        #expect(attrs.uid == 998 && attrs.gid == 997 && attrs.mode == 0o755)
        try await owner.rmdir(dir)
    }
}

/// libnfs 4.0.0's NFSv4 bugs, and what the server view does about each.
@Suite struct LibnfsV4BugTests {
    @Test func directorySetattrOnAV4OnlyExportIsENOTSUPWithAdvice() async throws {
        let view = try await TestServer.connect("v4only", .v4)
        let dir = TestServer.scratchName("v4dir")
        try await view.mkdir(dir, mode: .ownerReadWriteExecute)
        let error = await #expect(throws: ServerViewError.self) { try await view.chown(dir, uid: 998, gid: 997) }
        #expect(error?.errno == .notSupported)
        #expect(error?.detail.contains("create it as its owner") == true)
        try await view.rmdir(dir)
    }

    @Test func onAV4OnlyExportTheOwnerMakesTheDirectoryItself() async throws {
        let owner = try await TestServer.connect("v4only", .v4, as: NFSCredentials(uid: 998, gid: 997))
        let dir = TestServer.scratchName("v4owner")
        try await owner.mkdir(dir, mode: FilePermissions(rawValue: 0o750))
        let attrs = try await owner.stat(dir)
        #expect(attrs.uid == 998 && attrs.gid == 997 && attrs.mode == 0o750)
        try await owner.rmdir(dir)
    }

    @Test func fileSetattrWorksOverV4() async throws {
        let view = try await TestServer.connect("v4only", .v4)
        let file = TestServer.scratchName("v4file")
        try await view.createExclusive(file, mode: .ownerReadWrite)
        try await view.chown(file, uid: 998, gid: 997)
        try await view.chmod(file, mode: FilePermissions(rawValue: 0o644))
        let attrs = try await view.stat(file)
        #expect(attrs.uid == 998 && attrs.gid == 997 && attrs.mode == 0o644)
        try await view.unlink(file)
    }
}

@Suite struct ExportListTests {
    @Test func listsTheExportsThatSpeakNFSv3() throws {
        let url = try TestServer.url("rw")
        let exports = try ServerView.exports(host: url.host, mountPort: url.mountPort)
        #expect(Set(exports.map(\.path)) == ["/rw", "/squash", "/ro", "/small"])  // /v4only has no MOUNT entry
        #expect(exports.allSatisfy { $0.clients.isEmpty })
    }

    @Test func aClosedMountPortIsRefused() throws {
        let port = try SilentServer.unusedPort()
        let error = #expect(throws: ServerViewError.self) {
            _ = try ServerView.exports(host: "127.0.0.1", mountPort: port, timeout: .seconds(2))
        }
        #expect(error?.operation == "EXPORT")
        #expect(error?.isServerAnswer == false)
    }

    @Test func aSilentMountPortTimesOut() throws {
        let silent = try SilentServer()
        defer { silent.stop() }
        let error = #expect(throws: ServerViewError.self) {
            _ = try ServerView.exports(host: "127.0.0.1", mountPort: silent.port, timeout: .seconds(1))
        }
        #expect(error?.isTimeout == true)
    }
}
