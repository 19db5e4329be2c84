import FoundationGaps
import ArgumentParser
import Check
import FoundationEssentials
import KernelView
import Mounts
import ServerView

/// Where `check` and `advise` read a node's mounts from: this node's /proc and /etc, or a saved
/// support bundle (offline: paths are then matched as text, never touched).
struct MountSourceOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Read a saved mountinfo instead of /proc/self/mountinfo ('-' for standard input).", valueName: "file"))
    var mountinfo: String?

    @Option(
        help: ArgumentHelp(
            "Read a saved mountstats instead of /proc/self/mountstats ('-' for standard input).", valueName: "file"))
    var mountstats: String?

    @Option(
        help: ArgumentHelp(
            "Look for fstab, systemd units and autofs maps below this directory instead of / (also "
            + "NFSKEEPER_ROOT). Offline, declarations are compared only when it is given.",
            valueName: "dir"))
    var root: String?

    func validate() throws {
        if mountinfo == "-" && mountstats == "-" {
            throw ValidationError("only one of --mountinfo and --mountstats can read standard input")
        }
    }

    var offline: Bool { mountinfo != nil || mountstats != nil }

    /// A saved mountinfo comes from another node: this node's /etc says nothing about it.
    var declarationsRoot: String? {
        root ?? ProcessInfo.processInfo.environment["NFSKEEPER_ROOT"] ?? (offline ? nil : "/")
    }

    /// Everything a check needs; throws a readable error for unreadable input.
    func checkInput(timeout: Duration, rules: MountRules, server: ServerURL? = nil) throws -> CheckInput {
        let infoText = try readInput(mountinfo ?? "/proc/self/mountinfo")
        // mountstats is optional: without it the check has no RPC counters.
        let statsText = try mountstats.map(readInput) ?? (offline ? nil : try? readInput("/proc/self/mountstats"))
        return CheckInput(
            mountInfo: MountInfo(parsing: infoText, source: mountinfo ?? "/proc/self/mountinfo"),
            mountStats: statsText.map { MountStats(parsing: $0, source: mountstats ?? "/proc/self/mountstats") },
            declared: declarationsRoot.map { DeclaredMounts(root: $0) },
            kernel: offline ? nil : KernelView(timeout: timeout), rules: rules, serverOverride: server,
            idMap: offline ? nil : IdMapSettings.read(root: declarationsRoot ?? "/"))
    }
}

struct InputError: Error, CustomStringConvertible {
    var description: String
}

/// A whole input file, `-` for standard input; a clear error for anything unreadable.
func readInput(_ path: String) throws -> String {
    if path == "-" { return String(decoding: readStandardInput(), as: UTF8.self) }
    // read(2) to the end: /proc files report size 0 and Foundation would stop after a page.
    guard let text = readWholeFile(path) else {
        throw InputError(description: "cannot read \(path) (missing, unreadable or over 64 MiB)")
    }
    return text
}
