/// Where the server view connects: `nfs://host[:port]/export[?version=3|4&nfsport=N&mountport=N&uid=N&gid=N]`.
///
/// `nfsport` and `mountport` bypass the server's portmapper. Give them whenever several NFS servers
/// share one rpcbind (the last one registered wins) or the portmapper is firewalled.
/// `host` may be an IPv4 address, a name, or an IPv6 address in brackets.
public struct ServerURL: Hashable, Sendable, CustomStringConvertible {
    public enum Version: Int, Sendable, Codable, CaseIterable {
        case v3 = 3
        case v4 = 4
    }

    public var host: String
    /// The export path, always starting with `/` (for NFSv4, the path in the server's pseudo-fs).
    public var export: String
    public var version: Version
    public var nfsPort: Int?
    public var mountPort: Int?
    public var uid: UInt32?
    public var gid: UInt32?

    public init(
        host: String, export: String, version: Version = .v3, nfsPort: Int? = nil,
        mountPort: Int? = nil, uid: UInt32? = nil, gid: UInt32? = nil
    ) {
        self.host = host
        self.export = export.hasPrefix("/") ? export : "/" + export
        self.version = version
        self.nfsPort = nfsPort
        self.mountPort = mountPort
        self.uid = uid
        self.gid = gid
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var url: String
        public var reason: String
        public var description: String { "invalid NFS URL '\(url)': \(reason)" }
    }

    /// Long: one grammar (scheme, host, IPv6 brackets, export, each query item) read in one pass.
    public init(parsing text: String) throws(ParseError) {
        func fail(_ reason: String) -> ParseError { ParseError(url: text, reason: reason) }
        // fstab's and mount(8)'s form, `host:/export` (`[v6]:/export`), is the same server and export.
        if !text.hasPrefix("nfs://"), !text.contains("://"), let colon = text.firstRange(of: ":/"),
            colon.lowerBound > text.startIndex
        {
            try self.init(parsing: "nfs://" + text[..<colon.lowerBound] + text[text.index(after: colon.lowerBound)...])
            return
        }
        guard text.hasPrefix("nfs://") else { throw fail("it must be nfs://HOST/EXPORT or HOST:/EXPORT") }
        var rest = Substring(text.dropFirst("nfs://".count))
        var query = Substring("")
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw fail("no export path after the host") }
        var authority = rest[..<slash]
        let export = String(rest[slash...])
        var portInHost: Int?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw fail("unclosed [ in IPv6 host") }
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { throw fail("bad port") }
                portInHost = p
            } else if !after.isEmpty {
                throw fail("unexpected text after ]")
            }
            authority = authority[authority.index(after: authority.startIndex)..<close]
        } else if let colon = authority.lastIndex(of: ":") {
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else {
                throw fail("bad port")
            }
            portInHost = p
            authority = authority[..<colon]
        }
        guard !authority.isEmpty else { throw fail("no host") }
        guard export.count > 0, !export.contains("//") else { throw fail("bad export path '\(export)'") }
        self.init(host: String(authority), export: export, nfsPort: portInHost)
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw fail("query item '\(pair)' has no value") }
            switch kv[0] {
            case "version":
                guard let v = Int(kv[1]).flatMap(Version.init(rawValue:)) else { throw fail("version must be 3 or 4") }
                version = v
            case "nfsport":
                guard let p = Int(kv[1]), (1...65535).contains(p) else { throw fail("bad nfsport") }
                nfsPort = p
            case "mountport":
                guard let p = Int(kv[1]), (1...65535).contains(p) else { throw fail("bad mountport") }
                mountPort = p
            case "uid":
                guard let u = UInt32(kv[1]) else { throw fail("bad uid") }
                uid = u
            case "gid":
                guard let g = UInt32(kv[1]) else { throw fail("bad gid") }
                gid = g
            default:
                throw fail("unknown argument '\(kv[0])' (known: version, nfsport, mountport, uid, gid)")
            }
        }
    }

    /// `host:/export`, as mount(8) and error messages write it.
    public var serverAndExport: String {
        (host.contains(":") ? "[\(host)]" : host) + ":" + export
    }

    public var description: String {
        var items = ["version=\(version.rawValue)"]
        if let nfsPort { items.append("nfsport=\(nfsPort)") }
        if let mountPort { items.append("mountport=\(mountPort)") }
        if let uid { items.append("uid=\(uid)") }
        if let gid { items.append("gid=\(gid)") }
        let host = host.contains(":") ? "[\(host)]" : host
        return "nfs://\(host)\(export)?" + items.joined(separator: "&")
    }

    /// The same server and export spoken in another protocol version.
    public func with(version: Version) -> ServerURL {
        var copy = self
        copy.version = version
        return copy
    }
}

/// In JSON a URL is its text, as the commands print it.
extension ServerURL: Codable {
    public init(from decoder: any Decoder) throws {
        self = try ServerURL(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
