import CNFS
import Glibc

/// The server's clock compared with this node's.
public struct ServerClockReading: Sendable, Codable, Hashable {
    /// The time the server stamped on the file.
    public var serverTime: NFSTime
    /// Server clock minus this node's clock, in seconds (positive: the server is ahead).
    public var offsetSeconds: Double
    /// Half the round trip of the exchange: the offset is known to within this many seconds,
    /// plus the server's timestamp granularity.
    public var uncertaintySeconds: Double
}

extension ServerView {
    /// Reads the server's clock: SETATTR of `path`'s times to SET_TO_SERVER_TIME (NFSv3), then
    /// GETATTR, and compares the stamped mtime with the midpoint of this node's clock around the
    /// exchange.
    ///
    /// libnfs 4.0.0 crashes on a SET_TO_SERVER_TIME SETATTR over NFSv4, so there the server is made
    /// to stamp the time another way: a one-byte WRITE, whose mtime the server sets from its clock.
    ///
    /// `path` must be a regular file this session may write (its times change; on NFSv4 one byte
    /// is written at offset 0).
    /// Cache expiry runs on each client's own clock, so skew does not delay visibility; it does
    /// break every timestamp comparison between nodes.
    public func readServerClock(touching path: String) throws(ServerViewError) -> ServerClockReading {
        let before = realtimeNow()
        if url.version == .v3 {
            try check(nfs_utimes(ctx, path, nil), "SETATTR", path)
        } else {
            try write(path, [0x2e], at: 0)
        }
        var st = nfs_stat_64()
        try check(nfs_lstat64(ctx, path, &st), "GETATTR", path)
        let after = realtimeNow()
        let server = NFSTime(seconds: Int64(st.nfs_mtime), nanoseconds: UInt32(st.nfs_mtime_nsec))
        let midpoint = (before + after) / 2
        return ServerClockReading(serverTime: server, offsetSeconds: server.timeIntervalSince1970 - midpoint,
                                  uncertaintySeconds: (after - before) / 2)
    }
}

func realtimeNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
