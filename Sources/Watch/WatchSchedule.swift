import NFSModel

/// When and under what names the watchers of one share make their canaries, on the server's clock.
///
/// Slot k spans [k·period, (k+1)·period) seconds since the epoch. Every watcher makes canary k in its own
/// directory, `<share>/.nfskeeper/watch/<node>/canary-<k>`, as slot k starts, so every other node can name
/// it before it exists: it looks the name up (a miss, which `lookupcache=all` caches as a negative dentry)
/// `lead` before the slot starts, then polls it by name until it shows. The delay is the sighting's time
/// minus the canary's mtime, both on the server's clock (each node corrects its own by its measured offset).
public struct WatchSchedule: Sendable, Hashable {
    public var period: Duration
    /// How long before the canary is due its name is looked up: a quarter period, at most half a second
    /// (a delay measured is the cache's window less this).
    public var lead: Double { min(0.5, period.seconds / 4) }

    public init(period: Duration) { self.period = period }

    public func slot(at serverTime: Double) -> Int64 { Int64((serverTime / period.seconds).rounded(.down)) }
    public func start(of slot: Int64) -> Double { Double(slot) * period.seconds }

    /// When the writer made canary `slot`, on the server's clock: its mtime, unless that lies outside the
    /// slot (± a period). NFSv4 exclusive create keeps the client's verifier in the times until the
    /// client's SETATTR, and a reader can see the file in between (Linux 6.12 on ganesha: an mtime of
    /// 1970); the slot's start, when the writer makes it, stands in then.
    public func madeTime(ofCanary slot: Int64, mtime: Double) -> Double {
        abs(mtime - start(of: slot)) <= period.seconds ? mtime : start(of: slot)
    }

    public static let directory = "watch"
    static let canaryPrefix = "canary-"

    public static func canaryName(_ slot: Int64) -> String { canaryPrefix + String(slot) }

    /// The slot a canary's name holds; nil for any other name (untrusted: at most 19 digits, no sign).
    public static func slot(ofCanary name: String) -> Int64? {
        guard name.hasPrefix(canaryPrefix) else { return nil }
        let digits = name.dropFirst(canaryPrefix.count)
        guard !digits.isEmpty, digits.count <= 19, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(digits)
    }

    /// A watcher's directory name for `node`, if the name is one a node may have (`NodeName`): other nodes'
    /// directories with any other name are not watched.
    public static func watcher(_ directoryName: String) -> NodeName? { try? NodeName(directoryName) }
}
