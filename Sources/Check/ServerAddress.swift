import Mounts
import NFSModel

extension ServerURL {
    /// The server view's URL for an NFS mount: `host:/export` from the source (`[v6]:/export` too),
    /// the major version, and `port`/`mountport` when the mount names them (0 means "ask rpcbind").
    public init?(mountSource source: String, options: NFSMountOptions) {
        let host: Substring, export: Substring
        if source.hasPrefix("[") {
            guard let close = source.firstIndex(of: "]"), source[source.index(after: close)...].hasPrefix(":/") else {
                return nil
            }
            host = source[source.index(after: source.startIndex)..<close]
            export = source[source.index(close, offsetBy: 2)...]
        } else {
            guard let colon = source.firstIndex(of: ":"), source[source.index(after: colon)...].hasPrefix("/") else {
                return nil
            }
            host = source[..<colon]
            export = source[source.index(after: colon)...]
        }
        guard !host.isEmpty, !export.isEmpty else { return nil }
        self.init(
            host: String(host), export: String(export), version: options.majorVersion == 4 ? .v4 : .v3,
            nfsPort: options.port.flatMap { $0 > 0 ? $0 : nil },
            mountPort: options.mountPort.flatMap { $0 > 0 ? $0 : nil })
    }
}
