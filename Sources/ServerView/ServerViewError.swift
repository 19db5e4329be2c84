import SystemPackage

/// A failed call of the server view: which NFS operation, on which server and path, and why.
///
/// `errno` carries the reason the way swift-system's `Errno` does (libnfs reports negative errnos).
/// A server that cannot be reached, or that does not answer in time, is told apart from an answer
/// such as "no such file": see `isTimeout` and `isUnreachable`.
public struct ServerViewError: Error, Sendable, CustomStringConvertible {
    /// The NFS operation as it goes on the wire ("GETATTR", "MKDIR", "MOUNT", "EXPORT", …).
    public var operation: String
    /// `host:/export`.
    public var server: String
    /// The path inside the export, when the call had one.
    public var path: String?
    public var errno: Errno
    /// libnfs's own wording, kept for the log.
    public var detail: String

    public init(operation: String, server: String, path: String?, errno: Errno, detail: String) {
        self.operation = operation
        self.server = server
        self.path = path
        self.errno = errno
        self.detail = detail
    }

    /// The server did not answer within the session's timeout.
    public var isTimeout: Bool { errno == .timedOut }

    /// Nothing answered at all: connection refused, no route, reset.
    public var isUnreachable: Bool {
        let unreachable: [Errno] = [.connectionRefused, .noRouteToHost, .networkUnreachable, .connectionReset,
                                    .hostIsDown, .connectionAbort, .socketNotConnected]
        return unreachable.contains(errno)
    }

    /// The server answered, and the answer was an error (no such file, permission denied, …).
    public var isServerAnswer: Bool { !isTimeout && !isUnreachable }

    public var description: String {
        var text = "\(operation) "
        if let path { text += "'\(path)' " }
        text += "on \(server): \(errno.description)"
        if !detail.isEmpty && !detail.contains(errno.description) { text += " (\(detail))" }
        return text
    }
}
