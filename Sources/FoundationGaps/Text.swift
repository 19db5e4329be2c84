#if canImport(Glibc)
import Glibc
#endif

extension StringProtocol {
    /// Without leading and trailing whitespace: spaces, tabs, newlines and carriage returns.
    public func trimmed() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}

extension String {
    /// printf(3) formatting through vsnprintf, in the C locale (nfskeeper never calls setlocale):
    /// a number always has a point, whatever the node's LANG. Numbers only; strings go in by interpolation.
    public init(printf format: String, _ arguments: CVarArg...) {
        let first = Self.vsnprintf(format, arguments, capacity: 256)
        self = first.needed < 256 ? first.text : Self.vsnprintf(format, arguments, capacity: first.needed + 1).text
    }

    private static func vsnprintf(
        _ format: String, _ arguments: [CVarArg], capacity: Int
    ) -> (text: String, needed: Int) {
        withVaList(arguments) { list in
            var buffer = [CChar](repeating: 0, count: capacity)
            let needed = Int(Glibc.vsnprintf(&buffer, capacity, format, list))
            let bytes = buffer.prefix(Swift.min(Swift.max(0, needed), capacity - 1)).map { UInt8(bitPattern: $0) }
            return (String(decoding: bytes, as: UTF8.self), needed)
        }
    }

    /// Every occurrence of `target` replaced, compared byte by byte in UTF-8 as Foundation's
    /// replacingOccurrences compares code units: "\n" is found inside "\r\n", which the standard
    /// library's Character-wise `replacing` would pass over.
    public func replacingEvery(_ target: String, with replacement: String) -> String {
        let (text, needle) = (Array(utf8), Array(target.utf8))
        guard !needle.isEmpty, text.count >= needle.count else { return self }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            if text[i] == needle[0], i + needle.count <= text.count, text[i..<i + needle.count].elementsEqual(needle) {
                out += replacement.utf8
                i += needle.count
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Followed by spaces up to `length` characters; a longer string is left as it is.
    public func padded(to length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
