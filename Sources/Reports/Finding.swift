/// One thing a check found, in the form every report shares.
public struct Finding: Hashable, Sendable, Codable {
    public var severity: Severity
    /// A stable short name (`lookupcache`, `root-squash`, …) for alerting rules and `--json` users.
    public var rule: Rule
    /// What it is about: a mount point, or a server and export.
    public var subject: String?
    /// The mount option concerned and its effective value, when there is one.
    public var option: String?
    public var value: String?
    /// What is wrong and why it matters, in a sentence or two.
    public var message: String
    /// What to do about it, when there is something to do.
    public var fix: String?

    public init(_ severity: Severity, _ rule: Rule, subject: String? = nil, option: String? = nil,
                value: String? = nil, _ message: String, fix: String? = nil) {
        self.severity = severity
        self.rule = rule
        self.subject = subject
        self.option = option
        self.value = value
        self.message = message
        self.fix = fix
    }
}

extension Array where Element == Finding {
    /// The worst severity present; `.ok` for none.
    public var worst: Severity { map(\.severity).max() ?? .ok }
}
