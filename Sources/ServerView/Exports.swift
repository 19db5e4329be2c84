import CNFSShim
import SystemPackage

extension ServerView {
    /// The server's export list: MOUNTPROC3_EXPORT, as `showmount -e` sends it.
    ///
    /// Goes to `mountPort` directly when given (a test server, a firewalled portmapper), else asks
    /// the portmapper for the MOUNT program. Bounded by `timeout`. NFSv4-only servers may not run
    /// the MOUNT protocol at all: that is an error here, not an empty list.
    public static func exports(
        host: String, mountPort: Int?, timeout: Duration = .seconds(10)
    ) throws(ServerViewError) -> [NFSExport] {
        var list: UnsafeMutablePointer<nfsk_export>?
        var message = [CChar](repeating: 0, count: 512)
        let rc = nfsk_getexports(
            host, Int32(mountPort ?? 0), Int32(clamping: timeout.milliseconds), &list,
            &message, message.count)
        defer { nfsk_free_exports(list) }
        guard rc == 0 else {
            let detail = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            var errno = Errno(rawValue: -rc)
            if detail.lowercased().contains("refused") { errno = .connectionRefused }
            throw ServerViewError(
                operation: "EXPORT", server: mountPort.map { "\(host) port \($0)" } ?? host,
                path: nil, errno: errno, detail: detail)
        }
        var exports: [NFSExport] = []
        var node = list
        while let e = node {
            let groups = String(cString: e.pointee.groups)
            exports.append(
                NFSExport(
                    path: String(cString: e.pointee.dir),
                    clients: groups.split(separator: " ").map(String.init)))
            node = e.pointee.next
        }
        return exports
    }
}
