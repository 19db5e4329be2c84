import Glibc

/// A relay made with `losesReplies` passes RPC records (RFC 5531 §11: a 4-byte mark, then the message,
/// whose xid is its first word and, in a call, the procedure its sixth) and can lose one reply: the
/// server does the call, the client never hears of it. What a client sees when the network or a
/// failover loses an answer: a call that times out although it was done.
extension TCPRelay {
    /// The reply to the next call of `procedure` is lost (NFSv3 CREATE is 8; NFSv4 has only COMPOUND, 1).
    func loseReply(toProcedure procedure: UInt32) { armedProcedure.withLock { $0 = procedure } }

    /// The replies to the next `calls` calls of `procedure` are sent `delay` late: a slow server.
    func delayReplies(toProcedure procedure: UInt32, calls: Int, by delay: Duration) {
        slowed.withLock { $0 = (procedure, calls, delay) }
    }

    /// Whether the armed call went by and its reply was lost.
    var lostTheReply: Bool { armedProcedure.withLock { $0 } == nil && lostXIDs.withLock { $0.isEmpty } }

    /// Calls: the armed procedure's next one has its xid noted. Replies: those with a noted xid are dropped.
    func pumpRecords(_ from: Int32, _ to: Int32, calls: Bool) {
        while let (mark, message) = Self.readRecord(from) {
            let xid = Self.word(message, at: 0)
            if calls {
                let procedure = Self.word(message, at: 20)
                let hit = armedProcedure.withLock { armed in
                    guard armed == procedure else { return false }
                    armed = nil
                    return true
                }
                if hit { _ = lostXIDs.withLock { $0.insert(xid) } }
                let slow = slowed.withLock { armed in
                    guard let a = armed, a.procedure == procedure, a.calls > 0 else { return false }
                    armed?.calls -= 1
                    return true
                }
                if slow { _ = slowXIDs.withLock { $0.insert(xid) } }
            } else if lostXIDs.withLock({ $0.remove(xid) }) != nil {
                continue
            } else if slowXIDs.withLock({ $0.remove(xid) }) != nil, let delay = slowed.withLock({ $0?.delay }) {
                usleep(useconds_t(delay / .microseconds(1)))
            }
            guard Self.sendAll(to, mark[...] + message[...]) else { break }
        }
        shutdown(to, Int32(SHUT_RDWR))  // as `pump`: the other direction ends; `relay` closes both
    }

    /// One record-marked fragment (libnfs and ganesha send every message as one).
    private static func readRecord(_ fd: Int32) -> ([UInt8], [UInt8])? {
        guard let mark = readExactly(fd, 4), let message = readExactly(fd, Int(word(mark, at: 0) & 0x7fff_ffff))
        else { return nil }
        return (mark, message)
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
}
