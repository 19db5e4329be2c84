@_exported import NFSModel
import CNFS
import Glibc
import SystemPackage

/// The NFS server as it really is: one libnfs session that talks to the server directly,
/// bypassing every cache of this node's kernel (and libnfs's own directory cache).
///
/// A file this view creates is, to the kernel mount on this node, a file made by another node.
///
/// Concurrency: a libnfs context is not thread-safe, so a `ServerView` is an actor whose every
/// method runs on one dedicated thread of its own (`SessionThread`). Calls from many tasks are
/// serialised; a call that waits on a slow server blocks only that thread, never Swift's
/// cooperative pool, and never longer than `timeout`. Open several views for parallel traffic;
/// see `taskExecutor` for tight loops of calls.
public actor ServerView {
    public let url: ServerURL
    public let credentials: NFSCredentials
    public let timeout: Duration
    private let thread: SessionThread
    // Owned by this actor and touched only on its thread; destroyed in deinit, when no call can run.
    nonisolated(unsafe) private var context: OpaquePointer?
    /// Instead of the libnfs context: a private kernel mount (`connect(_:through:…)`), made on this actor's thread.
    nonisolated(unsafe) private(set) var privateMount: PrivateMount?
    /// Open files holding this session's locks (`tryWriteLock`), by `HeldLock.id`; freed with the context.
    var heldLocks: [Int: OpaquePointer] = [:]
    var nextLockID = 0
    /// Set once a LOCK was denied: libnfs 4.0.0 has then lost count of the open owner's seqid.
    var openOwnerSpent = false

    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    /// Which other node this view is: libnfs's session, or a private kernel mount and its options.
    public nonisolated var otherNode: OtherNode {
        privateMount.map { .kernel($0.request) } ?? .libnfs(url.version)
    }

    /// The private mount this view acts through; nil for a libnfs session.
    public nonisolated var privateMountRequest: PrivateMountRequest? { privateMount?.request }

    /// The session's thread as a task executor. A caller that makes many calls in a row (polling,
    /// timing round trips) runs its loop in `withTaskExecutorPreference(view.taskExecutor) { … }`:
    /// the loop then shares the session's thread and no call pays for two thread hand-offs.
    public nonisolated var taskExecutor: any TaskExecutor { thread }

    private init(url: ServerURL, credentials: NFSCredentials, timeout: Duration) {
        self.url = url
        self.credentials = credentials
        self.timeout = timeout
        self.thread = SessionThread(name: "nfs \(url.serverAndExport)")
    }

    deinit {
        if let context { nfs_destroy_context(context) }
        thread.stop()
    }

    /// Connects to the server and mounts the export (MOUNT MNT for NFSv3, PUTROOTFH + LOOKUP for
    /// NFSv4), presenting `credentials` as AUTH_SYS on every later call.
    ///
    /// The TCP connection is tried first, so a refused port or a silent host fails fast with
    /// `ECONNREFUSED` or `ETIMEDOUT` instead of libnfs's generic error. Every call of the session,
    /// this one included, is bounded by `timeout`.
    public static func connect(
        _ url: ServerURL, as credentials: NFSCredentials? = nil,
        timeout: Duration = .seconds(10)
    ) async throws(ServerViewError) -> ServerView {
        let port = url.nfsPort ?? (url.version == .v4 ? 2049 : 111)
        if case .failure(let errno) = tcpConnect(host: url.host, port: port, timeout: timeout) {
            throw ServerViewError(
                operation: "CONNECT", server: "\(url.host) port \(port)", path: nil,
                errno: errno, detail: "")
        }
        let creds =
            credentials
            ?? NFSCredentials(uid: url.uid ?? UInt32(getuid()), gid: url.gid ?? UInt32(getgid()))
        // AUTH_SYS proves nothing: the server believes whatever ids the client sends. Presenting
        // another user's identity is therefore reserved to root, as a kernel client reserves it.
        guard geteuid() == 0 || creds == .ownProcess else {
            throw ServerViewError(
                operation: "AUTH_SYS", server: url.serverAndExport, path: nil, errno: .notPermitted,
                detail: "only root may act as \(creds) on the server; this process is uid \(getuid())")
        }
        let view = ServerView(url: url, credentials: creds, timeout: timeout)
        try await view.mount()
        return view
    }

    /// Mounts the export privately (`PrivateMountRequest`) and acts through that mount as `credentials`:
    /// the kernel, not libnfs, is then the other node. Needs root (fsopen needs CAP_SYS_ADMIN). The server's
    /// port is tried first, as `connect` does; every later call fails with ETIMEDOUT after about `timeout`
    /// (`softerr`) instead of hanging.
    /// Without a request (libnfs plays the other node): `connect(_:as:timeout:)`.
    public static func connect(
        _ url: ServerURL, through request: PrivateMountRequest?, as credentials: NFSCredentials? = nil,
        timeout: Duration = .seconds(10)
    ) async throws(ServerViewError) -> ServerView {
        guard let request else { return try await connect(url, as: credentials, timeout: timeout) }
        let port = request.parameters.first { $0.name == "port" }.flatMap { $0.value.flatMap(Int.init) } ?? 2049
        let host = request.parameters.first { $0.name == "addr" }?.value ?? url.host
        if port != 0, case .failure(let errno) = tcpConnect(host: host, port: port, timeout: timeout) {
            throw ServerViewError(operation: "CONNECT", server: "\(host) port \(port)", path: nil, errno: errno,
                                  detail: "")
        }
        guard geteuid() == 0 else {
            throw ServerViewError(operation: "MOUNT", server: url.serverAndExport, path: nil, errno: .notPermitted,
                                  detail: "a private kernel mount needs root (fsopen needs CAP_SYS_ADMIN); "
                                      + "this process is uid \(getuid())")
        }
        let view = ServerView(url: url, credentials: credentials ?? .root, timeout: timeout)
        try await view.mountPrivately(request)
        return view
    }

    private func mountPrivately(_ request: PrivateMountRequest) throws(ServerViewError) {
        privateMount = try PrivateMount.make(request, server: url.serverAndExport, as: credentials)
    }

    private func mount() throws(ServerViewError) {
        guard let ctx = nfs_init_context() else {
            throw ServerViewError(
                operation: "MOUNT", server: url.serverAndExport, path: nil,
                errno: .noMemory, detail: "nfs_init_context failed")
        }
        context = ctx
        guard let parsed = nfs_parse_url_dir(ctx, url.libnfsURL) else {
            throw failure(-EINVAL, "MOUNT", nil)
        }
        defer { nfs_destroy_url(parsed) }
        nfs_set_timeout(ctx, Int32(clamping: timeout.milliseconds))
        nfs_set_dircache(ctx, 0)
        nfs_set_autoreconnect(ctx, 0)
        nfs_set_uid(ctx, Int32(bitPattern: credentials.uid))
        nfs_set_gid(ctx, Int32(bitPattern: credentials.gid))
        if url.version == .v4 {
            // The NFSv4 client owner. libnfs's default, "Libnfs pid:PID TIME", is the same for every
            // session a process opens within one second, and each SETCLIENTID then expires the
            // others' state (NFS4ERR_EXPIRED): make every session its own client.
            let owner = "nfskeeper/\(hostName())/\(getpid())/\(UInt64.random(in: 0...UInt64.max))"
            nfs4_set_client_name(ctx, owner)
            var verifier = (0..<8).map { _ in CChar(bitPattern: UInt8.random(in: 0...255)) }
            nfs4_set_verifier(ctx, &verifier)
        }
        try check(nfs_mount(ctx, parsed.pointee.server, parsed.pointee.path), "MOUNT", nil)
    }

    /// The live libnfs context; every caller runs on this actor's thread.
    var ctx: OpaquePointer { context! }

    func check(_ rc: Int32, _ operation: String, _ path: String?) throws(ServerViewError) {
        if rc < 0 { throw failure(rc, operation, path) }
    }

    /// Retries a call while the server answers NFS4ERR_DELAY: `var delay = retries(); repeat { rc = … }
    /// while delay.again(rc)`.
    func retries() -> DelayRetry { DelayRetry(context: ctx, deadline: .now + timeout) }

    /// Turns libnfs's negative errno and message into a typed error. libnfs reports a timeout as
    /// EINTR or EIO with "timed out" in the text, and a dropped connection as EIO from the service
    /// loop: both are re-labelled so callers can tell them from a server's answer.
    func failure(_ rc: Int32, _ operation: String, _ path: String?) -> ServerViewError {
        let detail = context.flatMap { nfs_get_error($0) }.map { String(cString: $0) } ?? ""
        var errno = Errno(rawValue: -rc)
        let lower = detail.lowercased()
        if lower.contains("timed out") || errno == .interrupted {
            errno = .timedOut
        } else if errno == .ioError && (lower.contains("service failed") || lower.contains("socket")) {
            errno = .connectionReset
        }
        return ServerViewError(
            operation: operation, server: url.serverAndExport, path: path,
            errno: errno, detail: detail)
    }
}

/// Whether to send a call again after NFS4ERR_DELAY, as the kernel's client does (100 ms, doubling): knfsd
/// answers it to an OPEN, REMOVE, RENAME or SETATTR while it recalls a delegation another client holds on the
/// file, such as this node's kernel on a file it has open. libnfs 4.0.0 does not retry, and its first answer
/// would be taken for the server's refusal. Within the session's timeout.
struct DelayRetry {
    let context: OpaquePointer
    let deadline: ContinuousClock.Instant
    var pause = Duration.milliseconds(100)

    /// After `rc`: true (having waited) to send the call again.
    mutating func again(_ rc: Int32) -> Bool {
        guard rc == -EAGAIN, let message = nfs_get_error(context), String(cString: message).contains("NFS4ERR_DELAY"),
              ContinuousClock.now + pause < deadline else { return false }
        usleep(UInt32(pause.milliseconds * 1000))
        pause = min(pause * 2, .seconds(2))
        return true
    }
}

/// How nfskeeper plays another node on the share: the server view's session.
public enum OtherNode: Sendable, Hashable, CustomStringConvertible {
    /// libnfs's own session to the server (AUTH_SYS), in this NFS version.
    case libnfs(ServerURL.Version)
    /// A private kernel mount of the export with these options (the kernel's NFS client, with this node's
    /// security flavour).
    case kernel(PrivateMountRequest)

    public var description: String {
        switch self {
        case .libnfs(let version): "a libnfs NFSv\(version.rawValue) session (AUTH_SYS)"
        case .kernel(let r): "a private kernel mount of \(r.source) (\(r.options))"
        }
    }
}

func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    gethostname(&buffer, buffer.count - 1)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
