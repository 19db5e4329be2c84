import Foundation
import Mounts
import ServerView
import Testing

/// A private kernel mount asked for on this machine, whose kernel has no NFS client (the guest makes real ones:
/// scripts/kernel-tests): the server's port is tried first, and then the kernel's refusal is a clear error.
@Suite struct PrivateMountHostTests {
    static var kernelHasNFS: Bool {
        (try? String(contentsOfFile: "/proc/filesystems", encoding: .utf8))?.contains("\tnfs4\n") ?? false
    }

    static func request(port: Int) throws -> PrivateMountRequest {
        try NFSMountOptions(parsing: "vers=4.2,proto=tcp,port=\(port),addr=127.0.0.1,sec=sys", fsType: "nfs4")
            .privateMount(source: "127.0.0.1:/rw", fsType: "nfs4", timeout: .seconds(2)).get()
    }

    @Test(.enabled(if: geteuid() == 0 && !kernelHasNFS))
    func aKernelWithoutAnNFSClientSaysSo() async throws {
        let url = try TestServer.url("rw", .v4)
        let request = try Self.request(port: url.nfsPort ?? 2049)
        do {
            _ = try await ServerView.connect(url, through: request)
            Issue.record("mounted without an NFS client")
        } catch {
            #expect(error.operation == "MOUNT" && error.errno == .operationNotSupportedByDevice)
            #expect(error.description.contains("fsopen(nfs4)") && error.description.contains("no NFS client"))
        }
    }

    @Test func aRefusedPortFailsBeforeAnyMount() async throws {
        let silent = try SilentServer()
        let port = silent.port
        silent.stop()  // nothing listens there now
        let (url, request) = (try TestServer.url("rw", .v4), try Self.request(port: port))
        do {
            _ = try await ServerView.connect(url, through: request)
            Issue.record("connected to a closed port")
        } catch {
            #expect(error.operation == "CONNECT" && error.errno == .connectionRefused)
        }
    }
}
