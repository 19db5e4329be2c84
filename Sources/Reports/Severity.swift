/// How bad a finding is, ordered; doubles as the Nagios exit code of a run.
public enum Severity: Int, Comparable, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case ok = 0
    case info = 10
    case warn = 1
    case crit = 2
    case unknown = 3

    /// Nagios plugin convention: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    public var exitCode: Int32 {
        switch self {
        case .ok, .info: 0
        case .warn: 1
        case .crit: 2
        case .unknown: 3
        }
    }

    private var rank: Int {
        switch self {
        case .ok: 0
        case .info: 1
        case .warn: 2
        case .unknown: 3
        case .crit: 4
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }

    public var description: String {
        switch self {
        case .ok: "ok"
        case .info: "info"
        case .warn: "warn"
        case .crit: "crit"
        case .unknown: "unknown"
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Severity.allCases.first(where: { $0.description == text }) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown severity \(text)"))
        }
        self = value
    }
}
