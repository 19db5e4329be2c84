import NFSModel

extension NFSMountOptions {
    /// Why a private mount of the same export cannot be described from a node's live options.
    public enum PrivateMountFailure: Error, Sendable, CustomStringConvertible {
        case noServerAddress(String)

        public var description: String {
            switch self {
            case .noServerAddress(let source):
                "the mount of \(source) shows no addr= option: the kernel needs the server's address"
            }
        }
    }

    /// A private mount of `source` speaking as this mount does (version, transport, port, server and callback
    /// addresses, security flavour, for NFSv3 the MOUNT protocol's), caching nothing (`noac`,
    /// `lookupcache=none`), sharing no superblock (`nosharecache`), and failing with ETIMEDOUT after about
    /// `timeout` instead of hanging (`softerr`, `timeo`, `retrans=1`). NFSv3 without NLM (`nolock`): it takes
    /// no locks, and lockd would need rpc.statd. `options` are the mount's live (super) options.
    public func privateMount(
        source: String, fsType: String, timeout: Duration
    ) -> Result<PrivateMountRequest, PrivateMountFailure> {
        guard let addr else { return .failure(.noServerAddress(source)) }
        typealias P = PrivateMountRequest.Parameter
        var p: [P] = [P("vers", version ?? (fsType == "nfs4" ? "4" : "3")), P("proto", proto), P("addr", addr)]
        if let port { p.append(P("port", String(port))) }
        if majorVersion == 4 { p.append(P("clientaddr", clientAddr ?? "0.0.0.0")) }
        p.append(P("sec", sec))
        if majorVersion == 3 {
            if let mountAddr { p.append(P("mountaddr", mountAddr)) }
            if let mountPort { p.append(P("mountport", String(mountPort))) }
            for o in other where ["mountvers", "mountproto"].contains(o.name) { p.append(P(o.name, o.value)) }
            p.append(P("nolock"))
        }
        let deciseconds = max(1, Int(timeout.components.seconds * 10 / 2))
        p += [P("nosharecache"), P("noac"), P("lookupcache", "none"), P("softerr"),
              P("timeo", String(deciseconds)), P("retrans", "1")]
        return .success(PrivateMountRequest(fsType: fsType, source: source, parameters: p))
    }
}
