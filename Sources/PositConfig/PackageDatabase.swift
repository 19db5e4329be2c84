/// Installed packages and their versions, from dpkg's status file (`/var/lib/dpkg/status`):
/// stanzas of `Field: value` lines separated by blank lines; only "install ok installed" counts.
public struct DpkgStatus: Sendable, Hashable {
    /// Version by package name.
    public var installed: [String: String] = [:]

    /// Reads only the three fields it keeps, byte by byte: a node's status file is a megabyte or more of
    /// descriptions, and `ready` runs where time is short (a hung mount's deadline, a slow emulated CPU).
    public init(parsing text: String) {
        var (package, version, status): (String?, String?, String?) = (nil, nil, nil)
        func flush() {
            if let package, let version, let status, status.hasPrefix("install"), status.hasSuffix("installed") {
                installed[package] = version
            }
            (package, version, status) = (nil, nil, nil)
        }
        let blank: Set<UInt8> = [0x20, 0x09, 0x0D]
        for line in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            guard let first = line.first, !line.allSatisfy(blank.contains) else { flush(); continue }
            // A continuation line (Description) or a line without a field: nothing kept.
            guard !blank.contains(first), let colon = line.firstIndex(of: 0x3A), line.distance(from: line.startIndex,
                                                                                                  to: colon) <= 7
            else { continue }
            let key = String(decoding: line[..<colon], as: UTF8.self).lowercased()
            guard key == "package" || key == "version" || key == "status" else { continue }
            let value = String(decoding: line[line.index(after: colon)...], as: UTF8.self).trimmingWhitespace
            switch key {
            case "package": package = value
            case "version": version = value
            default: status = value
            }
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

        public init(name: String, uid: UInt32, gid: UInt32, home: String) {
            (self.name, self.uid, self.gid, self.home) = (name, uid, gid, home)
        }
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

    public init(users: [User]) { self.users = users }
}

/// `/etc/group` entries: name, gid, members.
public struct GroupFile: Sendable, Hashable {
    public struct Group: Sendable, Hashable, Codable {
        public var name: String
        public var gid: UInt32
        public var members: [String]

        public init(name: String, gid: UInt32, members: [String]) {
            (self.name, self.gid, self.members) = (name, gid, members)
        }
    }

    public var groups: [Group] = []

    public init(groups: [Group]) { self.groups = groups }

    public init(parsing text: String) {
        for raw in text.split(whereSeparator: \.isNewline) where !raw.hasPrefix("#") {
            let f = raw.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count >= 4, let gid = UInt32(f[2]), !f[0].isEmpty else { continue }
            groups.append(Group(name: String(f[0]), gid: gid,
                                members: f[3].split(separator: ",").map(String.init)))
        }
    }
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
