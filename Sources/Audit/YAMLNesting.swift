/// An upper bound on how deeply a YAML text nests, found without parsing it: libyaml and Yams
/// recurse once per level, and 30 000 nested `[` or `- ` (30 KB) overflow the stack. A bound, not
/// the exact depth: every unquoted `[`/`{` still open, plus a line's indentation and its leading `- `.
enum YAMLNesting {
    static let limit = 64

    /// The 1-based line where the bound first exceeds `limit`, or nil.
    static func lineBeyondLimit(_ text: String) -> Int? {
        var flow = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var block = 0, leading = true, quote: UInt8?
            var previous: UInt8 = 0x20
            for byte in line.utf8 {
                if let q = quote {
                    if byte == q { quote = nil }
                } else {
                    if byte == 0x23 && (previous == 0x20 || previous == 0x09) { break }  // '#': the rest is a comment
                    switch byte {
                    case 0x20 where leading: block += 1
                    case 0x2D where leading: block += 1  // '-' of a sequence entry
                    case 0x22, 0x27: quote = byte
                    case 0x5B, 0x7B: flow += 1
                    case 0x5D, 0x7D: flow = max(0, flow - 1)
                    default: break
                    }
                }
                if byte != 0x20 && byte != 0x2D { leading = false }
                previous = byte
                if flow + block > limit { return index + 1 }
            }
        }
        return nil
    }
}
