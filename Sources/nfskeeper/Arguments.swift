import Advice
import ArgumentParser
import NFSModel

/// `--role`: parsed once by ArgumentParser, which lists the values in help, errors and completions.
extension Role: ExpressibleByArgument {}

/// `--server`: an `nfs://` URL or the fstab form `host:/export`, parsed once by ArgumentParser; a bad one
/// is a usage error that says why (`@Option(transform: parseServerURL)` in every command that takes it).
func parseServerURL(_ text: String) throws -> ServerURL {
    do { return try ServerURL(parsing: text) } catch { throw ValidationError(error.description) }
}
