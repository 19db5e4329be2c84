/// A kernel mount of an export made for this process alone (fsopen, fsconfig, fsmount): attached to no mount
/// namespace, so it shows in no mount table, and gone when its last descriptor closes. With `noac`,
/// `lookupcache=none` and `nosharecache` it shares no cache with this node's own mount of the same export and
/// caches nothing itself: every call goes to the server, as another node's change does. It speaks whatever the
/// node's mount speaks (NFSv4-only exports, `sec=krb5*` with the node's keytab), where libnfs 4.0.0 cannot.
public struct PrivateMountRequest: Hashable, Sendable, CustomStringConvertible {
    /// One fsconfig(2) parameter: a string (FSCONFIG_SET_STRING) or, without a value, a flag (FSCONFIG_SET_FLAG).
    public struct Parameter: Hashable, Sendable {
        public var name: String
        public var value: String?
        public init(_ name: String, _ value: String? = nil) { (self.name, self.value) = (name, value) }
    }

    /// "nfs" or "nfs4", as in the node's mount table.
    public var fsType: String
    /// `host:/export`, as mount(8) takes it.
    public var source: String
    public var parameters: [Parameter]

    public init(fsType: String, source: String, parameters: [Parameter]) {
        (self.fsType, self.source, self.parameters) = (fsType, source, parameters)
    }

    /// The options as mount(8) would print them: `vers=4.2,addr=…,noac,lookupcache=none,…`.
    public var options: String {
        parameters.map { p in p.value.map { "\(p.name)=\($0)" } ?? p.name }.joined(separator: ",")
    }

    public var description: String { "\(source) (\(fsType): \(options))" }
}

/// Who plays the other node on the share (`--other-node`).
public enum OtherNodeChoice: String, Sendable, Hashable, CaseIterable, Codable {
    /// libnfs, unless it cannot serve: a `sec=krb5*` share, or (where owners or attributes are judged) an
    /// NFSv4 export that answers no NFSv3; then a private kernel mount.
    case auto
    /// libnfs's own session (AUTH_SYS), whatever the share.
    case libnfs
    /// A private kernel mount of the share's export (root only; the share must be this node's NFS mount).
    case kernel
}
