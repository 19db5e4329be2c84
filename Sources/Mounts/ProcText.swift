/// A line of /proc text, fstab or a map file that could not be read, with the reason.
/// Parsers skip such lines and return them as warnings; they never crash on them.
public struct ParseWarning: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    public var source: String
    public var line: Int
    public var reason: String

    public init(source: String, line: Int, reason: String) {
        self.source = source
        self.line = line
        self.reason = reason
    }

    public var description: String { "\(source):\(line): \(reason)" }
}

/// The kernel's escaping of mount sources and points (and fstab's): space, tab, newline and
/// backslash are written as three-digit octal (`\040`, `\011`, `\012`, `\134`). Any `\ooo` is
/// decoded as a byte; bytes that are not UTF-8 come out as U+FFFD rather than failing.
func unescapeOctal(_ field: Substring) -> String {
    guard field.contains("\\") else { return String(field) }
    var bytes: [UInt8] = []
    let utf8 = Array(field.utf8)
    var i = 0
    while i < utf8.count {
        if utf8[i] == UInt8(ascii: "\\"), i + 3 < utf8.count, let value = octalByte(utf8[(i + 1)...(i + 3)]) {
            bytes.append(value)
            i += 4
        } else {
            bytes.append(utf8[i])
            i += 1
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

private func octalByte(_ digits: ArraySlice<UInt8>) -> UInt8? {
    guard digits.count == 3 else { return nil }
    var value = 0
    for d in digits {
        guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(d) else { return nil }
        value = value * 8 + Int(d - UInt8(ascii: "0"))
    }
    return value <= 255 ? UInt8(value) : nil
}

/// Splits `a,b=c,d` into ordered (name, value?) pairs; empty items are dropped.
func splitOptions(_ text: Substring) -> [(name: String, value: String?)] {
    text.split(separator: ",", omittingEmptySubsequences: true).map { item in
        if let eq = item.firstIndex(of: "=") {
            return (String(item[..<eq]), String(item[item.index(after: eq)...]))
        }
        return (String(item), nil)
    }
}

/// The lines of `text`, split at every LF byte. (Swift's `split(separator: "\n")` compares
/// Characters, and "\r\n" is one Character: a CRLF file would come out as a single line.)
/// A CR before the LF stays on the line; the parsers treat it as trailing white space.
public func splitLines(_ text: String) -> [Substring] {
    text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Substring($0) }
}
