import Advice
import ArgumentParser
import Probe
import NFSModel

/// `--role`: parsed once by ArgumentParser, which lists the values in help, errors and completions.
extension Role: ExpressibleByArgument {}

/// `--other-node auto|libnfs|kernel`: who plays the other node.
extension OtherNodeChoice: ExpressibleByArgument {
    static let help = ArgumentHelp(
        "Who plays the other node: libnfs, or a private kernel mount of the share's export (noac, "
            + "lookupcache=none; root only). auto takes the kernel where libnfs cannot serve (sec=krb5*, "
            + "or an NFSv4 export with no NFSv3 where owners or attributes matter).", valueName: "who")
}

/// `--server`: an `nfs://` URL or the fstab form `host:/export`, parsed once by ArgumentParser; a bad one
/// is a usage error that says why (`@Option(transform: parseServerURL)` in every command that takes it).
func parseServerURL(_ text: String) throws -> ServerURL {
    do { return try ServerURL(parsing: text) } catch { throw ValidationError(error.description) }
}

/// `--scenarios negative-lookup,listing`: each name one of the probe's scenarios.
func parseScenarios(_ text: String) throws -> [Scenario] {
    try text.split(separator: ",").map { name in
        guard let scenario = Scenario(rawValue: String(name)) else {
            throw ValidationError("--scenarios takes: " + Scenario.allCases.map(\.rawValue).joined(separator: ", ")
                                  + ", not '\(name)'")
        }
        return scenario
    }
}

/// `--mode 0755`: permission bits in octal, at most 07777.
func parseOctalMode(_ text: String) throws -> UInt32 {
    guard let mode = UInt32(text, radix: 8), mode <= 0o7777 else {
        throw ValidationError("--mode must be octal, like 0755, not '\(text)'")
    }
    return mode
}
