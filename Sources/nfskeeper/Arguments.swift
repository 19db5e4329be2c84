import Advice
import ArgumentParser

/// `--role`: parsed once by ArgumentParser, which lists the values in help, errors and completions.
extension Role: ExpressibleByArgument {}
