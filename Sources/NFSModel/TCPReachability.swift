import Glibc
import SystemPackage

/// Opens (and closes) one TCP connection to `host:port`, bounded by `timeout`.
///
/// libnfs reports a refused connection only as "nfs_service failed"; this tells a refused port, an
/// unreachable network and a silent host apart before the session starts, and measures the
/// connection round trip on the way.
public func tcpConnect(host: String, port: Int, timeout: Duration) -> Result<Duration, Errno> {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_family = AF_UNSPEC
    var list: UnsafeMutablePointer<addrinfo>?
    let gai = getaddrinfo(host, String(port), &hints, &list)
    guard gai == 0, let first = list else { return .failure(.noSuchAddressOrDevice) }
    defer { freeaddrinfo(list) }

    let clock = ContinuousClock()
    let start = clock.now
    let deadline = start.advanced(by: timeout)
    var lastError = Errno.hostIsDown
    var entry: UnsafeMutablePointer<addrinfo>? = first
    while let ai = entry {
        entry = ai.pointee.ai_next
        let fd = socket(
            ai.pointee.ai_family, ai.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
            0)
        guard fd >= 0 else { lastError = Errno(rawValue: Glibc.errno); continue }
        defer { close(fd) }
        if connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 { return .success(clock.now - start) }
        guard Glibc.errno == EINPROGRESS else { lastError = Errno(rawValue: Glibc.errno); continue }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let left = clock.now.duration(to: deadline)
        let ms = Int32(clamping: max(0, left.milliseconds))
        let ready = poll(&pfd, 1, ms)
        if ready == 0 { return .failure(.timedOut) }
        var soError: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len)
        if ready > 0 && soError == 0 { return .success(clock.now - start) }
        lastError = Errno(rawValue: soError != 0 ? soError : Errno(rawValue: Glibc.errno).rawValue)
    }
    return .failure(lastError)
}
