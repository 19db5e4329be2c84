/// Installed packages and their versions, from dpkg's status file (`/var/lib/dpkg/status`):
/// stanzas of `Field: value` lines separated by blank lines; only "install ok installed" counts.
public struct DpkgStatus: Sendable, Hashable {
    /// Version by package name.
    public var installed: [String: String] = [:]

    public init(parsing text: String) {
        var fields: [String: String] = [:]
        func flush() {
            if let name = fields["package"], let version = fields["version"],
               fields["status"]?.hasSuffix("installed") == true, fields["status"]?.hasPrefix("install") == true {
                installed[name] = version
            }
            fields = [:]
        }
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if raw.trimmingWhitespace.isEmpty { flush(); continue }
            guard let first = raw.first, first != " ", first != "\t", let colon = raw.firstIndex(of: ":") else {
                continue  // a continuation line (Description): nothing compared here
            }
            fields[raw[..<colon].lowercased()] = String(raw[raw.index(after: colon)...]).trimmingWhitespace
        }
        flush()
    }
}

/// `/etc/passwd` entries: name, uid, gid, home.
public struct PasswdFile: Sendable, Hashable {
    public struct User: Sendable, Hashable, Codable {
        public var name: String
        public var uid: UInt32
        public var gid: UInt32
        public var home: String
    }

    public var users: [User] = []

    public init(parsing text: String) {
        for raw in text.split(whereSeparator: \.isNewline) where !raw.hasPrefix("#") {
            let f = raw.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count >= 6, let uid = UInt32(f[2]), let gid = UInt32(f[3]), !f[0].isEmpty else { continue }
            users.append(User(name: String(f[0]), uid: uid, gid: gid, home: String(f[5])))
        }
    }

    public func user(_ name: String) -> User? { users.first { $0.name == name } }
}

/// A product version as Posit writes it (`2024.04.2+764.pro1`, `2023.03.0-386`), compared by its
/// leading numbers: year, month, patch.
public struct ProductVersion: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public var text: String
    public var numbers: [Int]

    public init(_ text: String) {
        self.text = text
        let upstream = text.split(separator: ":").last.map(String.init) ?? text  // an epoch
        numbers = upstream.prefix { $0.isNumber || $0 == "." }.split(separator: ".").compactMap { Int($0) }
    }

    public var description: String { text }

    public static func < (a: ProductVersion, b: ProductVersion) -> Bool {
        for (x, y) in zip(a.numbers, b.numbers) where x != y { return x < y }
        return a.numbers.count < b.numbers.count
    }
}
