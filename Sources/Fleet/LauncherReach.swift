import FoundationGaps
import Dispatch
import FoundationEssentials
import NFSModel
import Synchronization
import SystemPackage

/// TCP connects from this node to the launchers other nodes' reports claim for themselves.
///
/// Every address comes from a file anyone who can write the share can plant, so the connects are
/// bounded: at most `maxTargets` per audit, all at once (getaddrinfo and connect block, so each on
/// its own thread), the whole step within one `timeout`; only host names and IP literals, ports 1–65535.
public enum LauncherReach {
    public static let maxTargets = 32

    public struct Target: Sendable {
        public var node: String
        public var host: String
        public var port: Int
    }

    /// The targets among `reports` worth a connect: other nodes', with a plausible address; the port
    /// each claims for the service (the launcher's, or Workbench's `wwwPort`).
    public static func targets(_ reports: [NodeReport], except node: String,
                               port service: KeyPath<NodeReport, Int?> = \.launcherPort) -> [Target] {
        reports.compactMap { r in
            guard r.node != node, let host = r.launcherAddress, let port = r[keyPath: service],
                (1...65535).contains(port), isPlausibleHost(host)
            else { return nil }
            return Target(node: r.node, host: host, port: port)
        }
    }

    static func isPlausibleHost(_ host: String) -> Bool {
        (1...253).contains(host.utf8.count) && !host.hasPrefix("-")
            && host.unicodeScalars.allSatisfy {
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".:-".unicodeScalars.contains($0))
            }
    }

    /// One connect per target (the first `maxTargets`), concurrently; a target that has not answered
    /// when `timeout` ends is unreachable.
    public static func reach(_ targets: [Target], timeout: Duration) -> [NodeReport.Reachability] {
        let chosen = Array(targets.prefix(maxTargets))
        let results = Results(count: chosen.count)
        let group = DispatchGroup()
        for (i, t) in chosen.enumerated() {
            group.enter()
            startThread {
                results.set(i, tcpConnect(host: t.host, port: t.port, timeout: timeout))
                group.leave()
            }
        }
        _ = group.wait(timeout: .now() + .milliseconds(Int(timeout.milliseconds) + 100))
        return chosen.enumerated().map { i, t in
            switch results.get(i) {
            case .success(let d)?:
                .init(node: t.node, address: t.host, port: t.port, reachable: true, seconds: d.seconds, error: nil)
            case .failure(let e)?:
                .init(node: t.node, address: t.host, port: t.port, reachable: false, seconds: nil, error: e.description)
            case nil:
                .init(
                    node: t.node, address: t.host, port: t.port, reachable: false, seconds: nil,
                    error: "no answer in time")
            }
        }
    }

    private final class Results: Sendable {
        let values: Mutex<[Result<Duration, Errno>?]>
        init(count: Int) { values = Mutex(Array(repeating: nil, count: count)) }
        func set(_ i: Int, _ r: Result<Duration, Errno>) { values.withLock { $0[i] = r } }
        func get(_ i: Int) -> Result<Duration, Errno>? { values.withLock { $0[i] } }
    }
}
