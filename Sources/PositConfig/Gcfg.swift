/// A gcfg file (Package Manager's `rstudio-pm.gcfg`, Connect's `rstudio-connect.gcfg`), read as the
/// products read it: `[Section]` or `[Section "subsection"]` headers (section and key names are
/// case-insensitive), `Key = value` lines, a bare `Key` meaning true, values optionally in double
/// quotes with `\"`, `\\`, `\n`, `\t` escapes, `;` and `#` comments outside quotes, a trailing `\`
/// continuing a value on the next line, and a key given twice holding both values (multi-valued
/// keys). gcfg has no include directive, so neither does this reader.
public struct Gcfg: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        /// Lower-cased section name, and the subsection as written (subsections are case-sensitive).
        public var section: String
        public var subsection: String?
        /// Lower-cased key.
        public var key: String
        public var value: String
        public var line: Int
    }

    public var entries: [Entry] = []
    /// Lines the product would refuse to start with, by line number.
    public var problems: [String] = []

    public init(parsing text: String) {
        var header: (String, String?)?
        var brokenHeader = false  // the settings under a bad header are not reported again
        var pending = ""
        var pendingLine = 0
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if pending.isEmpty { pendingLine = index + 1 }
            if raw.hasSuffix("\\") && !raw.hasSuffix("\\\\") {  // a continued line
                pending += raw.dropLast()
                continue
            }
            let line = (pending + raw).trimmingWhitespace
            pending = ""
            if line.isEmpty || line.hasPrefix(";") || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                header = parseHeader(line, pendingLine)
                brokenHeader = header == nil
                continue
            }
            guard let (section, subsection) = header else {
                if !brokenHeader { problems.append("line \(pendingLine): a setting before any [section]") }
                continue
            }
            parseVariable(line, section, subsection, pendingLine)
        }
    }

    /// The last value of `section.key` (the one the product uses for a single-valued key).
    public func value(_ section: String, _ key: String, subsection: String? = nil) -> String? {
        values(section, key, subsection: subsection).last
    }

    /// Every value of `section.key`, in order.
    public func values(_ section: String, _ key: String, subsection: String? = nil) -> [String] {
        let (s, k) = (section.lowercased(), key.lowercased())
        return entries.filter { $0.section == s && $0.key == k && $0.subsection == subsection }.map(\.value)
    }

    private mutating func parseHeader(_ line: String, _ number: Int) -> (String, String?)? {
        guard line.hasSuffix("]") else {
            problems.append("line \(number): a section header without ']'")
            return nil
        }
        let inner = line.dropFirst().dropLast().trimmingWhitespace
        guard let space = inner.firstIndex(of: " ") else {
            return validName(inner) ? (inner.lowercased(), nil) : invalidHeader(number)
        }
        let name = String(inner[..<space])
        let rest = inner[inner.index(after: space)...].trimmingWhitespace
        guard validName(name), rest.count >= 2, rest.hasPrefix("\""), rest.hasSuffix("\""),
              let sub = Self.unquote(String(rest)) else { return invalidHeader(number) }
        return (name.lowercased(), sub)
    }

    private mutating func invalidHeader(_ number: Int) -> (String, String?)? {
        problems.append("line \(number): not a valid [section] or [section \"subsection\"] header")
        return nil
    }

    private mutating func parseVariable(_ line: String, _ section: String, _ subsection: String?, _ number: Int) {
        let name: String, rawValue: String
        if let equals = line.firstIndex(of: "=") {
            (name, rawValue) = (String(line[..<equals]).trimmingWhitespace,
                                String(line[line.index(after: equals)...]).trimmingWhitespace)
        } else {
            (name, rawValue) = (Self.stripComment(line).trimmingWhitespace, "true")  // a bare key: a true bool
        }
        guard validName(name) else { return problems.append("line \(number): '\(name)' is not a key name") }
        guard let value = Self.unquote(Self.stripComment(rawValue).trimmingWhitespace) else {
            return problems.append("line \(number): an unterminated quote or a bad escape")
        }
        entries.append(Entry(section: section, subsection: subsection, key: name.lowercased(), value: value,
                             line: number))
    }

    private func validName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    /// The text before a `;` or `#` that is outside double quotes.
    static func stripComment(_ text: String) -> String {
        var inQuotes = false, escaped = false
        for (offset, c) in text.enumerated() {
            if escaped { escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "\"" { inQuotes.toggle() }
            if !inQuotes && (c == ";" || c == "#") { return String(text.prefix(offset)) }
        }
        return text
    }

    /// Quotes removed and escapes resolved; nil for an unterminated quote or an unknown escape.
    static func unquote(_ text: String) -> String? {
        var out = "", inQuotes = false, escaped = false
        for c in text {
            if escaped {
                switch c {
                case "\"", "\\": out.append(c)
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: return nil
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "\"" {
                inQuotes.toggle()
            } else {
                out.append(c)
            }
        }
        return inQuotes || escaped ? nil : out
    }
}

/// Where Package Manager keeps each storage class: `[Storage]` `Default` (file unless set) and any
/// class set on its own (`Packages = s3`…). Only file storage lives in `Server.DataDir` (HA checklist,
/// step 5: "when using NFS for shared storage"); S3 storage needs the same encryption key (step 6).
public struct PackageManagerStorage: Sendable, Hashable {
    /// Storage kind (`file`, `s3`) by class, `Default` included.
    public var classes: [String: String]

    public init(_ gcfg: Gcfg) {
        var classes = ["default": "file"]
        for e in gcfg.entries where e.section == "storage" && e.subsection == nil {
            classes[e.key] = e.value.lowercased()
        }
        self.classes = classes
    }

    public var usesFiles: Bool { classes.values.contains("file") }
    public var usesS3: Bool { classes.values.contains("s3") }
    public var describe: String {
        classes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
}
