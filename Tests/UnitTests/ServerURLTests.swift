import Testing
@testable import ServerView

@Suite struct ServerURLTests {
    @Test func parsesEveryArgument() throws {
        let url = try ServerURL(
            parsing: "nfs://filer.example.com/export/rstudio?version=4&nfsport=2049&mountport=20048&uid=998&gid=997")
        #expect(url.host == "filer.example.com")
        #expect(url.export == "/export/rstudio")
        #expect(url.version == .v4)
        #expect(url.nfsPort == 2049)
        #expect(url.mountPort == 20048)
        #expect(url.uid == 998)
        #expect(url.gid == 997)
        #expect(url.serverAndExport == "filer.example.com:/export/rstudio")
    }

    @Test func defaultsToNFSv3AndThePortmapper() throws {
        let url = try ServerURL(parsing: "nfs://10.0.0.5/srv")
        #expect(url.version == .v3)
        #expect(url.nfsPort == nil && url.mountPort == nil)
        #expect(url.libnfsURL == "nfs://10.0.0.5/srv?version=3&dircache=0&autoreconnect=0")
    }

    @Test func bracketsIPv6HostsAndTakesAPortAfterThem() throws {
        let url = try ServerURL(parsing: "nfs://[fd00::1]:2050/data")
        #expect(url.host == "fd00::1")
        #expect(url.nfsPort == 2050)
        #expect(url.serverAndExport == "[fd00::1]:/data")
        #expect(try ServerURL(parsing: url.description) == url)
    }

    @Test func descriptionRoundTrips() throws {
        let url = ServerURL(host: "127.0.0.1", export: "rw", version: .v4, nfsPort: 32049, mountPort: 32048)
        #expect(url.export == "/rw")
        #expect(try ServerURL(parsing: url.description) == url)
    }

    /// The form fstab, mount(8) and /proc write (`server:/export`) names the same server and export.
    @Test func acceptsTheFstabForm() throws {
        let fstab = try ServerURL(parsing: "nfs1.example.com:/srv/share")
        #expect(fstab == ServerURL(host: "nfs1.example.com", export: "/srv/share"))
        #expect(try ServerURL(parsing: "[fd00::1]:/export") == ServerURL(host: "fd00::1", export: "/export"))
    }

    @Test(arguments: [
        "http://host/export", "nfs://host", "nfs:///export", "nfs://host/export?version=2",
        "nfs://host/export?nfsport=0", "nfs://host/export?nfsport=70000", "nfs://host/export?colour=blue",
        "nfs://host/export?uid=-1", "nfs://[fd00::1/export", "nfs://host:abc/export", "nfs://host/a//b",
        "nfs://host/export?version", "host/export", ":/export", "host:/a//b",
    ])
    func rejectsMalformedURLs(_ text: String) {
        #expect(throws: ServerURL.ParseError.self) { try ServerURL(parsing: text) }
    }
}
