import ArgumentParser
import Check
import Foundation
import KernelView
import Mounts
import Reports
import ServerView

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Judge the live NFS mount options of shared directories.",
        discussion: """
        For each PATH (default: every NFS mount), finds the mount that holds it in \
        /proc/self/mountinfo, applies the kernel's defaults to its options, and reports what \
        matters for a directory several nodes share: the NFS version, soft mounts, node-local \
        locks, nocto, sync and noac, and above all how long a file another node creates stays \
        invisible here when this node already looked its name up (lookupcache with acdirmin and \
        acdirmax). It also compares the live options with /etc/fstab, systemd .mount units and \
        autofs maps: changed cache options need an umount and mount, never just a remount.

        Offline: give a customer's saved copies with --mountinfo and --mountstats (either alone; \
        '-' reads standard input). PATHs are then matched as text, never touched.

        Examples:
          nfskeeper check /var/lib/rstudio-pm
          nfskeeper check --json
          nfskeeper check --mountinfo bundle/mountinfo --mountstats bundle/mountstats
        """
    )

    @Argument(help: "Paths on NFS to check; default: every NFS mount.")
    var paths: [String] = []

    @Option(help: ArgumentHelp("Read a saved mountinfo instead of /proc/self/mountinfo ('-' for standard input).", valueName: "file"))
    var mountinfo: String?

    @Option(help: ArgumentHelp("Read a saved mountstats instead of /proc/self/mountstats ('-' for standard input).", valueName: "file"))
    var mountstats: String?

    @Option(help: ArgumentHelp("Look for fstab, systemd units and autofs maps below this directory instead of / (also NFSKEEPER_ROOT). Offline checks compare declarations only when it is given.", valueName: "dir"))
    var root: String?

    @Option(help: ArgumentHelp("Longest acceptable delay, in seconds, before another node's new file is visible.", valueName: "seconds"))
    var targetDelay = 5

    @Option(help: ArgumentHelp("The server view's URL, instead of the one derived from the mount (FUSE or bind mounts).", valueName: "url"))
    var server: String?

    @Flag(name: .shortAndLong, help: "Also list the options that are fine.")
    var verbose = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if mountinfo == "-" && mountstats == "-" { throw ValidationError("only one of --mountinfo and --mountstats can read standard input") }
        guard targetDelay >= 0 else { throw ValidationError("--target-delay must not be negative") }
        if let server { do { _ = try ServerURL(parsing: server) } catch { throw ValidationError(error.description) } }
    }

    func run() async throws {
        let offline = mountinfo != nil || mountstats != nil
        let infoText: String, statsText: String?
        do {
            infoText = try readInput(mountinfo ?? "/proc/self/mountinfo")
            statsText = try mountstats.map(readInput) ?? (offline ? nil : try? readInput("/proc/self/mountstats"))
        } catch {
            FileHandle.standardError.write(Data("nfskeeper check: \(error)\n".utf8))
            throw ExitCode(Severity.unknown.exitCode)
        }
        let input = CheckInput(
            mountInfo: MountInfo(parsing: infoText, source: mountinfo ?? "/proc/self/mountinfo"),
            mountStats: statsText.map { MountStats(parsing: $0, source: mountstats ?? "/proc/self/mountstats") },
            declared: declarationsRoot(offline: offline).map { DeclaredMounts(root: $0) },
            kernel: offline ? nil : KernelView(timeout: common.timeoutDuration),
            rules: MountRules(targetDelay: targetDelay),
            serverOverride: try server.map { try ServerURL(parsing: $0) })
        let report = Checker.run(paths: paths, input)
        print(common.json ? try encodeJSON(report) : report.textReport(verbose: verbose))
        throw ExitCode(report.severity.exitCode)
    }
}

extension CheckCommand {
    /// A saved mountinfo comes from another node: this node's /etc says nothing about it.
    func declarationsRoot(offline: Bool) -> String? {
        if let root { return root }
        if let env = ProcessInfo.processInfo.environment["NFSKEEPER_ROOT"] { return env }
        return offline ? nil : "/"
    }
}

struct InputError: Error, CustomStringConvertible {
    var description: String
}

/// A whole input file, `-` for standard input; a clear error for anything unreadable.
func readInput(_ path: String) throws -> String {
    let data: Data
    if path == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
        // read(2) to the end: /proc files report size 0 and Foundation would stop after a page.
        guard let text = readWholeFile(path) else { throw InputError(description: "cannot read \(path)") }
        return text
    }
    return String(decoding: data, as: UTF8.self)
}
