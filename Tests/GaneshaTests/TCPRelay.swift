import Foundation
import Glibc
import Synchronization

/// A TCP relay on 127.0.0.1 in front of the test server: `cut()` drops every connection and stops
/// listening (the server "dies" as far as clients can tell, for this test only); `resume()`
/// listens again on the same port. With `forwardFirst: n`, connections after the n-th are accepted
/// and never answered: a server that stops answering new sessions mid-run. With `losesReplies`, it
/// relays RPC records and can lose one reply (`loseReply(toProcedure:)`, TCPRelay+LostReplies.swift) or
/// delay some (`delayReplies(toProcedure:calls:by:)`).
final class TCPRelay: @unchecked Sendable {
    let port: Int
    let upstream: Int
    let forwardFirst: Int
    let losesReplies: Bool
    /// The procedure whose next call's reply is lost, and the xids whose replies are lost.
    let armedProcedure = Mutex<UInt32?>(nil)
    let lostXIDs = Mutex<Set<UInt32>>([])
    /// The procedure whose next calls' replies come late: how many calls, and by how much.
    let slowed = Mutex<(procedure: UInt32, calls: Int, delay: Duration)?>(nil)
    let slowXIDs = Mutex<Set<UInt32>>([])
    private var accepted = 0
    private let lock = NSLock()
    private var listener: Int32 = -1
    private var sockets: [Int32] = []
    private var generation = 0

    init(to upstream: Int, forwardFirst: Int = .max, losesReplies: Bool = false) throws {
        self.upstream = upstream
        self.forwardFirst = forwardFirst
        self.losesReplies = losesReplies
        port = try SilentServer.unusedPort()
        try resume()
    }

    func resume() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var addr = TCPRelay.loopback(port)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        lock.lock(); listener = fd; generation += 1; lock.unlock()
        Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { close(fd); return }
                lock.lock(); accepted += 1; let silent = accepted > forwardFirst; lock.unlock()
                if silent { lock.lock(); sockets.append(client); lock.unlock(); continue }
                let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var up = TCPRelay.loopback(upstream)
                let ok = withUnsafePointer(to: &up) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                if ok != 0 { close(client); close(server); continue }
                lock.lock(); sockets += [client, server]; lock.unlock()
                relay(client, server)
            }
        }.start()
    }

    /// Pumps both ways; closes both descriptors once, after both pumps end. A descriptor is closed
    /// only here and under the lock, so `cut` never shuts down a number already reused by another
    /// connection in this process (the tests' own libnfs sessions: that reset them).
    private func relay(_ client: Int32, _ server: Int32) {
        let running = Mutex(2)
        for (from, to, calls) in [(client, server, true), (server, client, false)] {
            Thread { [self] in
                if losesReplies { pumpRecords(from, to, calls: calls) } else { TCPRelay.pump(from, to) }
                guard
                    running.withLock({
                        $0 -= 1; return $0
                    }) == 0
                else { return }
                lock.lock()
                sockets.removeAll { $0 == client || $0 == server }
                close(client); close(server)
                lock.unlock()
            }.start()
        }
    }

    /// Every connection reset, nothing listening: a dead server. The accept loop closes the
    /// listener once its accept fails.
    func cut() {
        lock.lock()
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
        lock.unlock()
    }

    private static func pump(_ from: Int32, _ to: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            if n <= 0 || !sendAll(to, buffer[..<n]) { break }
        }
        shutdown(to, Int32(SHUT_RDWR))  // the other pump's read ends; `relay` closes both
    }

    static func sendAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let m = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if m <= 0 { return false }
            sent += m
        }
        return true
    }

    private static func loopback(_ port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return addr
    }
}
