import Glibc
import FoundationGaps
import Mounts

/// Every file of a product's configuration directory (`/etc/rstudio`, `/etc/rstudio-pm`, …), as the
/// guides' "contents of the directory must be identical" means it: bytes by path relative to it.
///
/// Bounded, because the directory is read on every audit: at most `maxFiles` files of `maxBytes`
/// each, `maxDepth` levels. Regular files only (a FIFO would block the read); a symlink to a regular
/// file is read (sites link shared configuration into /etc), a symlinked directory is not entered.
/// Files the product never reads — editor and package-manager leftovers — are left out, so that a
/// stray `rserver.conf~` is not a difference between nodes.
public struct ConfigDirectory: Sendable, Hashable {
    /// Bytes by path relative to the directory (`rserver.conf`, `keys/launcher.pem`).
    public var files: [String: [UInt8]] = [:]
    /// Files that were there but not read (too large, too many, unreadable), by relative path.
    public var skipped: [String] = []

    public static let maxFiles = 500
    public static let maxBytes = 1 << 20
    public static let maxDepth = 4

    /// Compared through the cluster key's id instead: the key's own bytes are never published.
    static let keyFiles: Set<String> = ["secure-cookie-key"]
    static let leftoverSuffixes = ["~", ".bak", ".swp", ".orig", ".dpkg-old", ".dpkg-dist", ".dpkg-new",
                                   ".rpmnew", ".rpmsave", ".rpmorig"]

    /// Whether the product would read a file of this name (not a leftover, not the cookie key).
    public static func isCompared(_ relativePath: String) -> Bool {
        let name = relativePath.split(separator: "/").last.map(String.init) ?? relativePath
        return !keyFiles.contains(relativePath) && !name.hasPrefix(".")
            && !leftoverSuffixes.contains { name.hasSuffix($0) }
    }

    public init() {}

    /// Reads `directory` (a full path on this machine); an absent directory has no files.
    public static func read(_ directory: String) -> ConfigDirectory {
        var out = ConfigDirectory()
        out.walk(directory, relative: "", depth: 0)
        return out
    }

    mutating func walk(_ directory: String, relative: String, depth: Int) {
        guard depth < Self.maxDepth, let dir = opendir(directory) else { return }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        for name in names.sorted() {
            let path = directory + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else { skipped.append(rel); continue }
            if st.st_mode & S_IFMT == S_IFDIR {
                walk(path, relative: rel, depth: depth + 1)
            } else if Self.isCompared(rel) {
                guard files.count < Self.maxFiles, let bytes = Self.readRegular(path) else {
                    skipped.append(rel)
                    continue
                }
                files[rel] = bytes
            }
        }
    }

    /// A regular file's bytes (following a symlink to one), nil for anything else or over the limit.
    static func readRegular(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size <= maxBytes,
              case .success(let (bytes, more)) = readUpTo(fd, limit: maxBytes), !more else { return nil }
        return bytes
    }

    /// The text of a file (as UTF-8, invalid bytes replaced), nil when absent.
    public func text(_ relativePath: String) -> String? {
        files[relativePath].map { String(decoding: $0, as: UTF8.self) }
    }
}
