import Advice
import ArgumentParser
import NFSModel

/// `--role`: parsed once by ArgumentParser, which lists the values in help, errors and completions.
extension Role: ExpressibleByArgument {}

/// `--server`: an `nfs://` URL or the fstab form `host:/export`, parsed once; a bad one is a usage error.
extension ServerURL: ExpressibleByArgument {
    public init?(argument: String) {
        guard let url = try? ServerURL(parsing: argument) else { return nil }
        self = url
    }
}
