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
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
        guard !nodeName.isEmpty else { throw ValidationError("--node-name must not be empty") }
    }

    var timeoutDuration: Duration { .milliseconds(Int64(timeout * 1000)) }
}
