/// An upper bound on how deeply a YAML text nests, found without parsing it: libyaml and Yams
/// recurse once per level, and 30 000 nested `[` or `- ` (30 KB) overflow the stack.
///
/// A bound, deliberately blind to YAML's syntax: every `[`/`{` still open anywhere (inside quotes and
/// comments too — libFuzzer hid 1 700 brackets behind a stray apostrophe from a quote-aware count),
/// plus a line's indentation and its leading `- `. A real configuration stays far below the limit.
enum YAMLNesting {
    static let limit = 64

    /// The 1-based line where the bound first exceeds `limit`, or nil.
    static func lineBeyondLimit(_ text: String) -> Int? {
        var flow = 0
        for (index, line) in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            var block = 0
            var leading = true
            for byte in line {
                if leading && (byte == 0x20 || byte == 0x2D) { block += 1 } else { leading = false }
                switch byte {
                case 0x5B, 0x7B: flow += 1
                case 0x5D, 0x7D: flow = max(0, flow - 1)
                default: break
                }
                if flow + block > limit { return index + 1 }
            }
        }
        return nil
    }
}
