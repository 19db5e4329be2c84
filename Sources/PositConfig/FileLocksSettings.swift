/// Workbench's lock settings, `/etc/rstudio/file-locks`: `key=value` lines, `#` comments.
///
/// A link-based lock is a uniquely named file hard-linked to the lock's name; its holder touches it
/// every `refreshRate` seconds, and another node takes the lock over once its own clock minus the
/// file's mtime reaches `timeoutInterval`. Advisory locks are `fcntl` locks, which the NFS server
/// must arbitrate. Workbench keeps a default for a missing, negative or unreadable number.
public struct FileLocksSettings: Sendable, Hashable, Codable {
    public enum LockType: String, Sendable, Codable, CaseIterable {
        case linkbased
        case advisory
    }

    public static let defaultPath = "file-locks"
    public static let defaultTimeoutInterval = 30.0
    public static let defaultRefreshRate = 20.0

    public var lockType: LockType = .linkbased
    /// `use-symlinks`: link-based locks made with symlinks instead of hard links.
    public var useSymlinks = false
    public var timeoutInterval = defaultTimeoutInterval
    public var refreshRate = defaultRefreshRate
    /// Keys given in the file (the rest are Workbench's defaults).
    public var explicit: [String] = []
    /// Lines Workbench would ignore or repair, for a finding: unknown lock type, bad numbers.
    public var problems: [String] = []

    public init() {}

    /// Parses the file's text; never fails (Workbench does not either): problems are listed.
    public init(parsing text: String) {
        for (number, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingWhitespace
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            guard let equals = line.firstIndex(of: "=") else {
                problems.append("line \(number + 1): no '=': ignored")
                continue
            }
            let key = String(line[..<equals]).trimmingWhitespace
            let value = String(line[line.index(after: equals)...]).trimmingWhitespace
            apply(key, value, line: number + 1)
        }
    }

    private mutating func apply(_ key: String, _ value: String, line: Int) {
        switch key {
        case "lock-type":
            guard let type = LockType(rawValue: value.lowercased()) else {
                return problems.append("line \(line): lock-type '\(value)' is neither linkbased nor advisory")
            }
            lockType = type
        case "use-symlinks": useSymlinks = ["1", "true", "yes"].contains(value.lowercased())
        case "timeout-interval": timeoutInterval = seconds(value, key, line) ?? timeoutInterval
        case "refresh-rate": refreshRate = seconds(value, key, line) ?? refreshRate
        default: return  // enable-logging, log-file: nothing to judge
        }
        explicit.append(key)
    }

    private mutating func seconds(_ value: String, _ key: String, _ line: Int) -> Double? {
        guard let n = Double(value), n.isFinite, n >= 0, n < 1e9 else {
            problems.append("line \(line): \(key) '\(value)' is not a number of seconds: Workbench keeps its default")
            return nil
        }
        return n
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        String(drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }
            .reversed())
    }
}
