/// A delay the options allow, from its shortest to its longest: how long a name seen as missing can
/// stay hidden (`negativeLookupWindow`). In JSON `{minSeconds, maxSeconds}`.
public struct DelayWindow: Codable, Sendable, Hashable {
    public var minSeconds: Int
    public var maxSeconds: Int

    public init(_ range: ClosedRange<Int>) { (minSeconds, maxSeconds) = (range.lowerBound, range.upperBound) }

    /// `30–60 s`, `5 s` when both ends agree.
    public var range: String { minSeconds == maxSeconds ? "\(maxSeconds) s" : "\(minSeconds)–\(maxSeconds) s" }

    /// How a report says it: `at once`, `up to 5 s`, `30–60 s`.
    public var shown: String {
        maxSeconds == 0 ? "at once" : minSeconds == maxSeconds ? "up to \(maxSeconds) s" : range
    }
}
