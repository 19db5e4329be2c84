import ArgumentParser
import Foundation

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
        guard !nodeName.isEmpty else { throw ValidationError("--node-name must not be empty") }
    }

    var timeoutDuration: Duration { .milliseconds(Int64(timeout * 1000)) }
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
