import FoundationGaps
import FoundationEssentials
import Glibc

/// Fingerprints of the configuration files every node must share, as HMAC-SHA256 keyed with a
/// secret every node already holds root-only (Workbench's `secure-cookie-key`, else the
/// configuration's `fingerprint_key_file`). They tell whether two nodes have the same file without
/// letting anyone who reads the share guess a file's contents offline (database.conf's only secret
/// is a password). Without a usable key no fingerprint is published.
public struct ConfigFingerprints: Sendable, Equatable {
    /// Fingerprint (hex) by file name.
    public var hashes: [String: String] = [:]
    /// Names the key without revealing it, so that fingerprints are compared only under one key.
    public var keyID: String?
    /// Why no fingerprint was published (no key, or a key that is not root-only).
    public var problem: String?

    public static let files = ["launcher.conf", "launcher.local.conf", "database.conf", "rserver.conf", "file-locks"]
    /// Shorter keys are refused: HMAC's secrecy is the key's.
    public static let minimumKeyBytes = 16

    /// Workbench's and Package Manager's shared files found on this node, keyed with the first usable key.
    public static func compute(rstudioConfig: String, root: String, keyFile: String?) -> ConfigFingerprints {
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        let key: ClusterKey
        switch ClusterKey.load(rstudioConfig: rstudioConfig, keyFile: keyFile) {
        case .success(let k): key = k
        case .failure(let problem): return ConfigFingerprints(problem: problem.description)
        }
        var out = ConfigFingerprints(keyID: key.id)
        for path in files.map({ rstudioConfig + "/" + $0 }) + [base + "/etc/rstudio-pm/rstudio-pm.gcfg"] {
            if let data = FileManager.default.contents(atPath: path) {
                out.hashes[String(path.split(separator: "/").last ?? "")] = key.fingerprint(data)
            }
        }
        return out
    }

    public struct KeyProblem: Error, CustomStringConvertible { public var description: String }

    /// The key's bytes, accepted only from a regular file (not a symlink) that only its owner, root
    /// or this process's user, can read.
    static func readKey(_ path: String) -> Result<[UInt8], KeyProblem> {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            return .failure(KeyProblem(description: "no key at \(path) (\(String(cString: strerror(errno))))"))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            return .failure(KeyProblem(description: "\(path) is not a regular file"))
        }
        guard st.st_mode & 0o077 == 0, st.st_uid == 0 || st.st_uid == getuid() else {
            return .failure(
                KeyProblem(
                    description: "\(path) is not root-only "
                        + String(printf: "(owner %u, mode %04o): not used as a key", st.st_uid, st.st_mode & 0o7777)))
        }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = read(fd, &bytes, bytes.count)
        guard n >= minimumKeyBytes else {
            return .failure(
                KeyProblem(description: "\(path) holds fewer than \(minimumKeyBytes) bytes: too short for a key"))
        }
        return .success(Array(bytes.prefix(n)))
    }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        bytes.map { String(printf: "%02x", $0) }.joined()
    }
}

/// The cluster's fingerprint key: a secret every node holds root-only. A fingerprint (HMAC-SHA256)
/// tells equal from different across nodes without letting a reader of the share guess the text.
public struct ClusterKey {
    let key: [UInt8]
    /// Names the key without revealing it (64 bits of an HMAC of a constant).
    public let id: String

    init(_ key: [UInt8]) {
        self.key = key
        id = ConfigFingerprints.hex(HMACSHA256.authenticationCode(Array("nfskeeper key id".utf8), key: key))
            .prefix(16).description
    }

    /// `<rstudioConfig>/secure-cookie-key`, else `keyFile`: the first usable one.
    public static func load(rstudioConfig: String,
                            keyFile: String?) -> Result<ClusterKey, ConfigFingerprints.KeyProblem> {
        var problems: [String] = []
        for path in [rstudioConfig + "/secure-cookie-key"] + (keyFile.map { [$0] } ?? []) {
            switch ConfigFingerprints.readKey(path) {
            case .success(let key): return .success(ClusterKey(key))
            case .failure(let problem): problems.append(problem.description)
            }
        }
        return .failure(ConfigFingerprints.KeyProblem(description: problems.joined(separator: "; ")))
    }

    public func fingerprint(_ data: Data) -> String {
        ConfigFingerprints.hex(HMACSHA256.authenticationCode(data, key: key))
    }

    public func fingerprint(_ text: String) -> String { fingerprint(Data(text.utf8)) }
}
