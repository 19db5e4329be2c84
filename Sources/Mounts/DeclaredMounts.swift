import FoundationEssentials

/// Where an administrator declared an NFS mount, and with which options: what a boot (or an
/// automount) will mount, as opposed to what the kernel has mounted now.
public struct DeclaredMount: Hashable, Sendable, Codable {
    public enum Origin: String, Sendable, Codable { case fstab, systemd, autofs }

    public var origin: Origin
    /// The file that declares it, and the line (fstab, autofs map) where it stands.
    public var file: String
    public var line: Int?
    public var source: String
    public var mountPoint: String
    public var fsType: String
    /// The options exactly as declared (comma-separated), for drift checks and edited advice.
    public var options: String
    /// The whole declaring line or `Options=` value, as written.
    public var text: String
}

/// Reads fstab, systemd `.mount` units and autofs maps below `root` ("/" on a live node; a fake
/// /etc in tests). Unreadable files are skipped; unreadable lines become warnings.
public struct DeclaredMounts: Sendable {
    public var mounts: [DeclaredMount] = []
    public var warnings: [ParseWarning] = []

    public init(root: String = "/") {
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        // A missing declaration file declares nothing.
        func read(_ path: String) -> String? { try? String(contentsOfFile: base + path, encoding: .utf8) }
        if let text = read("/etc/fstab") { parseFstab(text, file: "/etc/fstab") }
        for dir in ["/etc/systemd/system", "/run/systemd/system"] {
            // A missing unit directory holds no units.
            let names = (try? FileManager.default.contentsOfDirectory(atPath: base + dir)) ?? []
            for name in names.sorted() where name.hasSuffix(".mount") {
                if let text = read(dir + "/" + name) { parseMountUnit(text, file: dir + "/" + name) }
            }
        }
        var masters: [(String, String)] = []
        if let text = read("/etc/auto.master") { masters.append(("/etc/auto.master", text)) }
        // No auto.master.d: no drop-in maps.
        let dropIns = (try? FileManager.default.contentsOfDirectory(atPath: base + "/etc/auto.master.d")) ?? []
        for name in dropIns.sorted() where name.hasSuffix(".autofs") {
            if let text = read("/etc/auto.master.d/" + name) { masters.append(("/etc/auto.master.d/" + name, text)) }
        }
        for (file, text) in masters {
            for entry in parseAutoMaster(text, file: file) {
                guard let map = read(entry.map) else { continue }
                parseAutofsMap(map, file: entry.map, mountPoint: entry.mountPoint, masterOptions: entry.options)
            }
        }
    }

    /// The declarations for one mount point (normally one; several is itself a finding).
    public func declarations(for mountPoint: String) -> [DeclaredMount] {
        mounts.filter { $0.mountPoint == mountPoint }
    }

    // MARK: fstab(5): spec file vfstype mntops freq passno

    public mutating func parseFstab(_ text: String, file: String) {
        for (i, line) in splitLines(text).enumerated() {
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 3 else {
                warnings.append(ParseWarning(source: file, line: i + 1, reason: "fewer than three fields"))
                continue
            }
            let type = String(fields[2])
            guard type == "nfs" || type == "nfs4" else { continue }
            mounts.append(
                DeclaredMount(
                    origin: .fstab, file: file, line: i + 1, source: unescapeOctal(fields[0]),
                    mountPoint: MountTable.normalize(unescapeOctal(fields[1])), fsType: type,
                    options: fields.count > 3 ? String(fields[3]) : "defaults", text: String(line)))
        }
    }

    // MARK: systemd.mount(5): [Mount] What= Where= Type= Options=

    public mutating func parseMountUnit(_ text: String, file: String) {
        var section = ""
        var values: [String: String] = [:]
        for line in splitLines(text) {
            let trimmed = line.trimmingWhitespace()
            if trimmed.hasPrefix("#") || trimmed.hasPrefix(";") || trimmed.isEmpty { continue }
            if trimmed.hasPrefix("[") { section = String(trimmed); continue }
            guard section == "[Mount]", let eq = trimmed.firstIndex(of: "=") else { continue }
            let key = String(trimmed[..<eq].trimmingWhitespace())
            values[key] = String(trimmed[trimmed.index(after: eq)...].trimmingWhitespace())
        }
        guard let type = values["Type"], type == "nfs" || type == "nfs4" else { return }
        guard let what = values["What"], let where_ = values["Where"] else {
            warnings.append(ParseWarning(source: file, line: 0, reason: "NFS mount unit without What= or Where="))
            return
        }
        let options = values["Options"] ?? "defaults"
        mounts.append(
            DeclaredMount(
                origin: .systemd, file: file, line: nil, source: what,
                mountPoint: MountTable.normalize(where_), fsType: type, options: options,
                text: "Options=" + options))
    }

    // MARK: autofs: auto.master(5) and its maps

    struct MasterEntry { var mountPoint: String; var map: String; var options: String }

    func parseAutoMaster(_ text: String, file: String) -> [MasterEntry] {
        var entries: [MasterEntry] = []
        for line in splitLines(text) {
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix("+") { continue }
            let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2 else { continue }
            var map = String(fields[1])
            if let colon = map.firstIndex(of: ":"), map.hasPrefix("file") {
                map = String(map[map.index(after: colon)...])
            }
            guard map.hasPrefix("/") else { continue }  // program, ldap, -hosts…: not files we can read
            // "-rw,vers=4.2" are mount options; "--timeout=60" and the like are the automounter's own.
            let options = fields.dropFirst(2).filter { $0.hasPrefix("-") && !$0.hasPrefix("--") }
                .map { String($0.dropFirst()) }.joined(separator: ",")
            entries.append(MasterEntry(mountPoint: String(fields[0]), map: map, options: options))
        }
        return entries
    }

    /// `key [-options] [host:]/path`; for a direct map (`/-` in the master) the key is the full path.
    public mutating func parseAutofsMap(_ text: String, file: String, mountPoint: String, masterOptions: String) {
        for (i, line) in splitLines(text).enumerated() {
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix("+") { continue }
            let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2 else {
                warnings.append(ParseWarning(source: file, line: i + 1, reason: "map entry without a location"))
                continue
            }
            let key = String(fields[0])
            let entryOptions = fields.count >= 3 && fields[1].hasPrefix("-") ? String(fields[1].dropFirst()) : ""
            let location = String(fields.last!)
            guard let colon = location.firstRange(of: ":/"), colon.lowerBound != location.startIndex else {
                continue  // not host:/path (":/dev/sdb1" is a local device)
            }
            let fstypeOption = splitOptions(Substring(entryOptions + "," + masterOptions)).first {
                $0.name == "fstype"
            }?.value
            if let fstypeOption, fstypeOption != "nfs" && fstypeOption != "nfs4" { continue }
            let point = mountPoint == "/-" ? key : mountPoint + "/" + key
            let merged = [masterOptions, entryOptions].filter { !$0.isEmpty }.joined(separator: ",")
            mounts.append(
                DeclaredMount(
                    origin: .autofs, file: file, line: i + 1, source: location,
                    mountPoint: MountTable.normalize(point), fsType: fstypeOption ?? "nfs",
                    options: merged, text: String(line)))
        }
    }
}
