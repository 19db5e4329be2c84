import Foundation
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

    public func render(color: Bool = Terminal.isColorful) -> String {
        let columns = headers.count
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.prefix(columns).enumerated() { widths[i] = max(widths[i], cell.text.count) }
        }
        func line(_ cells: [Cell], header: Bool) -> String {
            var out = ""
            for (i, cell) in cells.prefix(columns).enumerated() {
                let last = i == columns - 1
                let padded = last ? cell.text : cell.text.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                out += Terminal.paint(padded, severity: cell.severity, bold: header, color: color)
                if !last { out += "  " }
            }
            return out
        }
        var lines = [line(headers.map { Cell($0) }, header: true)]
        lines += rows.map { line($0, header: false) }
        return lines.joined(separator: "\n")
    }
}

/// Key–value blocks ("Server:  127.0.0.1:/rw"), aligned on the colon.
public func keyValueBlock(_ pairs: [(String, TextTable.Cell)], color: Bool = Terminal.isColorful) -> String {
    let width = (pairs.map(\.0.count).max() ?? 0) + 1
    return pairs.map { key, value in
        (key + ":").padding(toLength: width, withPad: " ", startingAt: 0) + "  "
            + Terminal.paint(value.text, severity: value.severity, bold: false, color: color)
    }.joined(separator: "\n")
}

public enum Terminal {
    /// Colour when standard output is a terminal and NO_COLOR is unset (no-color.org).
    public static var isColorful: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    public static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

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
}
