import Foundation
import Glibc
import Synchronization

/// A TCP relay on 127.0.0.1 in front of a real NFS port that can lose replies: every call reaches the
/// server (which does it), and the reply to the next call of an armed procedure is swallowed (RPC
/// records, RFC 5531 §9 and §11: xid, then the call's procedure at byte 20). What a client sees when the
/// server answers but the network or a failover loses the answer: a call that times out although done.
final class ReplyDroppingProxy: @unchecked Sendable {
    let port: Int
    /// The procedure whose next call's reply is lost (NFSv3 CREATE is 8; NFSv4 has only COMPOUND, 1).
    let armed = Mutex<UInt32?>(nil)
    /// The xids whose replies are lost; emptied as they go by.
    let lost = Mutex<Set<UInt32>>([])
    private let listener: Int32
    private let upstream: Int

    init(upstream: Int) throws {
        self.upstream = upstream
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var addr = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 4) == 0 else { throw POSIXError(.EADDRINUSE) }
        var local = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) }
        }
        port = Int(UInt16(bigEndian: local.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = Self.loopback(port: upstream)
            let connected = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else { close(client); close(server); continue }
            Thread { [self] in relayCalls(from: client, to: server) }.start()
            Thread { [self] in relayReplies(from: server, to: client) }.start()
        }
    }

    /// Calls go to the server unchanged; the armed procedure's next call has its xid noted.
    private func relayCalls(from client: Int32, to server: Int32) {
        while let (header, body) = Self.readRecord(client) {
            let (xid, procedure) = (Self.word(body, at: 0), Self.word(body, at: 20))
            let hit = armed.withLock { armed in
                guard armed == procedure else { return false }
                armed = nil
                return true
            }
            if hit { _ = lost.withLock { $0.insert(xid) } }
            guard Self.writeAll(server, header[...] + body[...]) else { break }
        }
        shutdown(server, Int32(SHUT_WR))
    }

    /// Replies go back unchanged, but for those whose xid was noted.
    private func relayReplies(from server: Int32, to client: Int32) {
        while let (header, body) = Self.readRecord(server) {
            if lost.withLock({ $0.remove(Self.word(body, at: 0)) }) != nil { continue }
            guard Self.writeAll(client, header[...] + body[...]) else { break }
        }
        close(client)
        close(server)
    }

    /// One record-marked fragment (libnfs and ganesha send every message as one).
    private static func readRecord(_ fd: Int32) -> ([UInt8], [UInt8])? {
        guard let header = readExactly(fd, 4),
              let body = readExactly(fd, Int(word(header, at: 0) & 0x7fff_ffff))
        else { return nil }
        return (header, body)
    }

    private static func word(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        guard bytes.count >= offset + 4 else { return UInt32.max }
        return bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    private static func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count), done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, count - done) }
            guard n > 0 else { return nil }
            done += n
        }
        return bytes
    }

    private static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        var rest = bytes
        while !rest.isEmpty {
            let n = rest.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
            guard n > 0 else { return false }
            rest = rest.dropFirst(n)
        }
        return true
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return addr
    }
}
