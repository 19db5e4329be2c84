import Glibc
import FoundationGaps
import FoundationEssentials
import Rainbow

/// A plain-text table in the manner of `findmnt` and `nfsstat -m`: a header row, columns padded to
/// their widest cell, two spaces between columns, no borders. Colour only on a terminal.
public struct TextTable {
    public var headers: [String]
    public var rows: [[Cell]] = []

    public struct Cell: ExpressibleByStringLiteral {
        public var text: String
        public var severity: Severity?
        /// Control characters in `text` are shown escaped (`Terminal.visible`): a mount point, node
        /// or address from the share or /proc cannot move the cursor or recolour the terminal.
        public init(_ text: String, severity: Severity? = nil) {
            self.text = Terminal.visible(text)
            self.severity = severity
        }
        public init(stringLiteral value: String) { self.init(value) }
    }

    public init(headers: [String]) { self.headers = headers }

    public mutating func add(_ cells: [Cell]) { rows.append(cells) }
    public mutating func add(_ cells: String...) { rows.append(cells.map { Cell($0) }) }

    /// `width`: the terminal's columns (`Terminal.width`). When the table is wider, the widest column
    /// gives way first (`fit`), and its cells wrap at spaces or commas onto more lines,
    /// the other cells of the row blank there, as findmnt wraps. nil: no limit (a pipe, a file).
    public func render(color: Bool = Terminal.isColorful, width: Int? = Terminal.width) -> String {
        let columns = headers.count
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.prefix(columns).enumerated() { widths[i] = max(widths[i], cell.text.count) }
        }
        if let width { widths = Self.fit(widths, into: width) }
        func line(_ cells: [Cell], header: Bool) -> String {
            let pieces = cells.prefix(columns).enumerated().map { wrap($0.element.text, to: widths[$0.offset]) }
            var out: [String] = []
            for k in 0..<(pieces.map(\.count).max() ?? 1) {
                var text = ""
                for (i, cell) in cells.prefix(columns).enumerated() {
                    let piece = k < pieces[i].count ? pieces[i][k] : ""
                    let last = i == columns - 1
                    let padded = last ? piece : piece.padded(to: widths[i])
                    text += Terminal.paint(padded, severity: cell.severity, bold: header, color: color)
                    if !last { text += "  " }
                }
                out.append(text.trimmingTrailingSpaces)
            }
            return out.joined(separator: "\n")
        }
        var lines = [line(headers.map { Cell($0) }, header: true)]
        lines += rows.map { line($0, header: false) }
        return lines.joined(separator: "\n")
    }

    /// Column widths narrowed, widest first, until the row fits `width` (two spaces between columns):
    /// down to 8 characters, and when that is not enough (many columns) down to 4.
    static func fit(_ natural: [Int], into width: Int) -> [Int] {
        var widths = natural
        let gaps = 2 * max(0, widths.count - 1)
        for floor in [8, 4] {
            while widths.reduce(0, +) + gaps > width, let i = widths.indices.max(by: { widths[$0] < widths[$1] }) {
                let target = max(floor, widths[i] - (widths.reduce(0, +) + gaps - width))
                if target >= widths[i] { break }
                widths[i] = target
            }
        }
        return widths
    }
}

/// `text` in lines of at most `width` characters, broken at spaces or after commas (option lists);
/// a longer run is cut.
func wrap(_ text: String, to width: Int) -> [String] {
    guard text.count > width else { return [text] }
    // Pieces that keep their separator: "a, b,c d" → ["a,", " b,", "c", " d"].
    var pieces: [String] = [], piece = ""
    for ch in text {
        if ch == " " && !piece.isEmpty { pieces.append(piece); piece = "" }
        piece.append(ch)
        if ch == "," { pieces.append(piece); piece = "" }
    }
    if !piece.isEmpty { pieces.append(piece) }
    var lines: [String] = [], current = ""
    for var p in pieces {
        if !current.isEmpty && current.count + p.count > width {
            lines.append(current)
            current = ""
            p = String(p.drop { $0 == " " })
        }
        while p.count > width {
            lines.append(String(p.prefix(width)))
            p = String(p.dropFirst(width))
        }
        current += p
    }
    if !current.isEmpty { lines.append(current) }
    return lines
}

extension Terminal {
    /// `text` (escaped) in lines that fit the terminal, broken at spaces or commas, a path cut.
    public static func lines(_ text: String, width: Int? = Terminal.width) -> [String] {
        width.map { wrap(visible(text), to: max(20, $0)) } ?? [visible(text)]
    }

    /// `prefix` then `text`, wrapped to the terminal's width with its continuation lines aligned under
    /// the text (a hanging indent), as advice steps and reasons are printed.
    public static func hanging(_ prefix: String, _ text: String, width: Int? = Terminal.width) -> String {
        let text = visible(text)
        guard let width else { return prefix + text }
        return prefix + wrap(text, to: max(20, width - prefix.count))
            .joined(separator: "\n" + String(repeating: " ", count: prefix.count))
    }
}

/// Key–value blocks ("Server:  127.0.0.1:/rw"), aligned on the colon.
/// Values wrap to `width` like a table's last column.
public func keyValueBlock(_ pairs: [(String, TextTable.Cell)], color: Bool = Terminal.isColorful,
                          width: Int? = Terminal.width) -> String {
    let keyWidth = (pairs.map(\.0.count).max() ?? 0) + 1
    let indent = String(repeating: " ", count: keyWidth + 2)
    return pairs.map { key, value in
        let pieces = width.map { wrap(value.text, to: max(20, $0 - keyWidth - 2)) } ?? [value.text]
        return (key + ":").padded(to: keyWidth) + "  "
            + pieces.map { Terminal.paint($0, severity: value.severity, bold: false, color: color) }
                .joined(separator: "\n" + indent)
    }.joined(separator: "\n")
}

public enum Terminal {
    /// Colour when standard output is a terminal and NO_COLOR is unset (no-color.org).
    public static var isColorful: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    public static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// The columns text may use: `COLUMNS` when set (as findmnt and ls honour it), else the terminal's
    /// width when standard output is one, else no limit.
    public static var width: Int? {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text), n >= 20 { return n }
        var size = winsize()
        guard isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 20 else {
            return nil
        }
        return Int(size.ws_col)
    }

    /// `text` with every control character (C0, DEL, C1) escaped: ESC as `\e`, the rest as `\xNN`
    /// (a newline too: one cell, one line).
    public static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == "\u{1b}" {
                out += "\\e"
            } else if isControl(scalar) {
                out += "\\x" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 2)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool { s.value < 0x20 || (0x7F...0x9F).contains(s.value) }

    public static func paint(_ text: String, severity: Severity?, bold: Bool, color: Bool) -> String {
        let text = visible(text)
        guard color else { return text }
        var out = text
        switch severity {
        case .ok?: out = out.green
        case .warn?: out = out.yellow
        case .crit?: out = out.red
        case .unknown?: out = out.magenta
        case .info?: out = out.cyan
        case nil: break
        }
        return bold ? out.bold : out
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
    var trimmingTrailingSpaces: String {
        var s = self
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
