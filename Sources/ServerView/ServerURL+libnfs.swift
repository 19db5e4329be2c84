import NFSModel

extension ServerURL {
    /// The URL libnfs parses: ports and version only (credentials are set on the context),
    /// and libnfs's own directory cache off, since the server view is the ground truth.
    var libnfsURL: String {
        var items = ["version=\(version.rawValue)", "dircache=0", "autoreconnect=0"]
        if let nfsPort { items.append("nfsport=\(nfsPort)") }
        if let mountPort, version == .v3 { items.append("mountport=\(mountPort)") }
        let host = host.contains(":") ? "[\(host)]" : host
        return "nfs://\(host)\(export)?" + items.joined(separator: "&")
    }
}
