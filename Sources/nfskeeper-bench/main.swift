// nfskeeper-bench: the figures behind scripts/bench. Prints, asserts nothing about time.
//
//   nfskeeper-bench getattr URL C_LOOP [ROUNDS] [CALLS]
//     GETATTR round trip through the Swift ServerView (measured from the caller, actor hop
//     included) against the C loop over libnfs, interleaved round by round on the same server.
import Foundation
import Reports
import ServerView

func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

func runCLoop(_ binary: String, _ url: ServerURL, calls: Int) throws -> [Double] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = [
        url.description.replacingOccurrences(of: "version=", with: "dircache=0&version="), String(calls),
    ]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw POSIXError(.EIO) }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { Double($0).map { $0 / 1e9 } }
}

let args = CommandLine.arguments
// A bad URL is the usage message below.
guard args.count >= 4, args[1] == "getattr", let url = try? ServerURL(parsing: args[2]) else {
    FileHandle.standardError.write(Data("usage: nfskeeper-bench getattr URL C_LOOP [ROUNDS] [CALLS]\n".utf8))
    exit(2)
}
let cLoop = args[3]
let rounds = args.count > 4 ? Int(args[4]) ?? 10 : 10
let calls = args.count > 5 ? Int(args[5]) ?? 500 : 500

let view = try await ServerView.connect(url)
/// `calls` GETATTRs, each timed from the caller's side of the `await`.
func swiftLoop(_ view: ServerView, calls: Int) async throws -> [Double] {
    let clock = ContinuousClock()
    var times: [Double] = []
    for _ in 0..<calls {
        let start = clock.now
        _ = try await view.timedGetattr()
        times.append((clock.now - start).seconds)
    }
    return times
}

var cTimes: [Double] = [], hopTimes: [Double] = [], sharedTimes: [Double] = []
for round in 0..<rounds {
    // Rotate the order, so no side always runs on a warmer server.
    var steps: [() async throws -> Void] = [
        { cTimes += try runCLoop(cLoop, url, calls: calls) },
        { hopTimes += try await swiftLoop(view, calls: calls) },
        {
            sharedTimes += try await withTaskExecutorPreference(view.taskExecutor) {
                try await swiftLoop(view, calls: calls)
            }
        },
    ]
    for i in 0..<steps.count { try await steps[(i + round) % steps.count]() }
    steps.removeAll()
}

var table = TextTable(headers: ["CLIENT", "CALLS", "MIN", "MEDIAN", "P99", "RATIO"])
for (name, times) in [
    ("C loop over libnfs", cTimes), ("Swift ServerView, from another thread", hopTimes),
    ("Swift ServerView, on the session's executor", sharedTimes),
] {
    table.add(
        name, String(times.count), formatSeconds(times.min() ?? .nan), formatSeconds(median(times)),
        formatSeconds(percentile(times, 0.99)), String(format: "%.3f×", median(times) / median(cTimes)))
}
print(
    "GETATTR round trip, \(url.serverAndExport) NFSv\(url.version.rawValue), \(rounds) interleaved rounds of "
    + "\(calls) calls each"
)
print(table.render())
print("RATIO: median against the C loop's (goal ≤ 1.10×)")
