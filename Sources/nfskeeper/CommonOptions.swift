import FoundationGaps
import ArgumentParser
import Reports
import FoundationEssentials
import ServerView

/// Options every subcommand takes.
struct CommonOptions: ParsableArguments {
    @Flag(help: "Print one JSON document on standard output instead of tables.")
    var json = false

    @Option(
        help: ArgumentHelp("Seconds any single NFS call may take before it counts as failed.", valueName: "seconds"))
    var timeout: Double = 10

    @Option(
        help: ArgumentHelp(
            "This node's name in the names of temporary files; defaults to the host name.", valueName: "name"))
    var nodeName: String = ProcessInfo.processInfo.hostName

    func validate() throws {
        try checkRange(timeout, "--timeout", 0.1...3600, unit: "s")
        try checkNodeName(nodeName)
    }

    var timeoutDuration: Duration { .milliseconds(Int64(timeout * 1000)) }
}

/// The closing line of a text report: the command to run next and why, control characters escaped; the
/// caller quotes what came from outside with `shellQuoted`, so that the line copies and pastes.
func nextStep(_ command: String, _ why: String) -> String {
    "\n\n" + Terminal.hanging("Next: ", Terminal.visible(command) + " (" + why + ")")
}

/// `argument` as a POSIX shell reads it back: bare when it is plain, else in single quotes.
func shellQuoted(_ argument: String) -> String {
    let plain = !argument.isEmpty && argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0) }
    return plain ? argument : "'" + argument.replacingEvery("'", with: #"'\''"#) + "'"
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
        throw ValidationError(
            "\(flag) must be a number from \(String(printf: "%g", range.lowerBound)) to "
                + "\(String(printf: "%g", range.upperBound)) \(unit), not \(value)")
    }
}

/// How a command that measures through a mount reaches the server view (probe, locks).
struct ServerViewOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The server view's URL, when it cannot be derived from the mount (FUSE or bind "
                + "mounts).", valueName: "url"), transform: parseServerURL)
    var server: ServerURL?

    @Option(
        help: ArgumentHelp(
            "AUTH_SYS uid of the server view, the other node (a non-root owner of the share "
                + "where root is squashed); default: 0 as root, else your own. Only root may "
                + "give another."))
    var uid: UInt32?

    @Option(help: "AUTH_SYS gid of the server view; default as --uid.")
    var gid: UInt32?

    @Flag(help: "Accept a mount that is not NFS (test setups).")
    var allowNonNFS = false

    /// The server view's identity: the flags, else the most privileged this process may present.
    var credentials: NFSCredentials {
        let own = NFSCredentials.mostPrivileged
        return NFSCredentials(uid: uid ?? own.uid, gid: gid ?? own.gid)
    }
}
