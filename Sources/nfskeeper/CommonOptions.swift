import ArgumentParser
import Foundation
import ServerView

/// Options every subcommand takes.
struct CommonOptions: ParsableArguments {
    @Flag(help: "Print one JSON document on standard output instead of tables.")
    var json = false

    @Option(help: ArgumentHelp("Seconds any single NFS call may take before it counts as failed.", valueName: "seconds"))
    var timeout: Double = 10

    @Option(help: ArgumentHelp("This node's name in the names of temporary files; defaults to the host name.", valueName: "name"))
    var nodeName: String = ProcessInfo.processInfo.hostName

    func validate() throws {
        try checkRange(timeout, "--timeout", 0.1...3600, unit: "s")
        try checkNodeName(nodeName)
    }

    var timeoutDuration: Duration { .milliseconds(Int64(timeout * 1000)) }
}

/// A usage error unless `name` is a valid node name (a host name, see `NodeName`).
func checkNodeName(_ name: String?) throws {
    guard let name else { return }
    do { _ = try NodeName(name) } catch { throw ValidationError("--node-name: \(error)") }
}

/// A usage error unless `value` is finite and within `range` (NaN and infinities fail every comparison
/// that matters here, so they are named).
func checkRange(_ value: Double?, _ flag: String, _ range: ClosedRange<Double>, unit: String) throws {
    guard let value else { return }
    guard value.isFinite, range.contains(value) else {
        throw ValidationError("\(flag) must be a number from \(String(format: "%g", range.lowerBound)) to "
                              + "\(String(format: "%g", range.upperBound)) \(unit), not \(value)")
    }
}
