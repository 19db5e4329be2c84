import FoundationGaps
import FoundationEssentials
import Mounts
import NFSModel
import Reports

/// A file's numeric owner and group.
public struct Owner: Codable, Sendable, Hashable, CustomStringConvertible {
    public var uid: UInt32
    public var gid: UInt32

    public init(uid: UInt32, gid: UInt32) { (self.uid, self.gid) = (uid, gid) }

    public var description: String { "\(uid):\(gid)" }
}

/// How this node turns NFSv4 owner strings (`user@domain`, or plain numbers) into ids.
public struct IdMapSettings: Codable, Sendable, Hashable {
    /// `Domain` in `/etc/idmapd.conf`'s `[General]` section: nil when unset (nfsidmap then takes the DNS
    /// domain of the host name). A server's `root@example.com` maps only when the domains match.
    public var domain: String?
    /// The nfs module's `nfs4_disable_idmapping` (default Y): with AUTH_SYS this node sends numeric ids
    /// and accepts numeric owners; names still go through nfsidmap. nil when the module is not loaded.
    public var idmappingDisabled: Bool?

    public init(domain: String?, idmappingDisabled: Bool?) {
        (self.domain, self.idmappingDisabled) = (domain, idmappingDisabled)
    }

    /// From the texts of `/etc/idmapd.conf` (ini: `[General]`, `Domain = x`, `#` and `;` comments, any
    /// case) and `/sys/module/nfs/parameters/nfs4_disable_idmapping` (`Y` or `N`).
    public init(idmapdConf: String?, disableIdmapping: String?) {
        var section = "", domain: String?
        for raw in (idmapdConf ?? "").split(whereSeparator: \.isNewline) {
            let line = raw.trimmed()
            if line.hasPrefix("#") || line.hasPrefix(";") || line.isEmpty { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                section = line.dropFirst().dropLast().trimmed().lowercased()
                continue
            }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmed() }
            if section == "general", parts.count == 2, parts[0].lowercased() == "domain", !parts[1].isEmpty {
                domain = parts[1]
            }
        }
        let flag = disableIdmapping?.trimmed().uppercased()
        self.init(domain: domain, idmappingDisabled: flag == "Y" ? true : flag == "N" ? false : nil)
    }

    /// Nothing known: no idmapd.conf read, the module's setting unknown.
    public static let unknown = IdMapSettings(domain: nil, idmappingDisabled: nil)

    /// Reads both below `root` (`/` or "" for this node; a simulated or bundled node's tree otherwise).
    public static func read(root: String = "/") -> IdMapSettings {
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        return IdMapSettings(idmapdConf: readWholeFile(base + "/etc/idmapd.conf", limit: 1 << 20),
                      disableIdmapping: readWholeFile(base + "/sys/module/nfs/parameters/nfs4_disable_idmapping",
                                                      limit: 64))
    }

    /// `Domain = x (/etc/idmapd.conf), nfs4_disable_idmapping=Y`, for messages.
    public var description: String {
        let domain = domain.map { "Domain = \($0) in /etc/idmapd.conf" }
            ?? "no Domain in /etc/idmapd.conf (the DNS domain)"
        let flag = idmappingDisabled.map { "nfs4_disable_idmapping=\($0 ? "Y" : "N")" } ?? "the nfs module not loaded"
        return domain + ", " + flag
    }
}

/// The owner of one path as this node's NFSv4 mount shows it, beside the server's numeric owner.
public struct OwnerComparison: Codable, Sendable {
    /// The path on this node.
    public var path: String
    /// The same path on the server (inside the export), and the server view's URL.
    public var serverPath: String
    public var serverURL: ServerURL?
    public var kernel: Owner
    /// Read over NFSv3, whose owners are numbers: nil when it could not be read (`serverNote` says why).
    public var server: Owner?
    public var serverNote: String?
    public var idMap: IdMapSettings

    public init(path: String, serverPath: String, serverURL: ServerURL? = nil, kernel: Owner, server: Owner? = nil,
                serverNote: String? = nil, idMap: IdMapSettings) {
        (self.path, self.serverPath, self.serverURL, self.kernel, self.server) = (path, serverPath, serverURL, kernel,
                                                                                 server)
        (self.serverNote, self.idMap) = (serverNote, idMap)
    }

    /// Whether the server's owner is worth a session: the kernel shows nobody. Real ids here mean the
    /// names mapped (which ids they map to across nodes is the fleet's `product-ids`), and a site whose
    /// firewall passes only NFSv4 should not wait on an NFSv3 connection for every mount.
    public var needsServerOwner: Bool {
        IdMapping.nobody.contains(kernel.uid) || IdMapping.nobody.contains(kernel.gid)
    }

    /// Reads the server's owner with `read` when it is needed (or notes why it is not there).
    public mutating func readServerOwner(_ read: ServerOwnerReader) async {
        guard needsServerOwner else { return serverNote = "not read: this node shows real ids" }
        guard let serverURL else { return serverNote = "no server view URL for this mount" }
        switch await read(serverURL, serverPath) {
        case .success(let owner): (server, serverNote) = (owner, nil)
        case .failure(let failure): (server, serverNote) = (nil, failure.description)
        }
    }

    /// Reads the server's owner when it is needed, then judges the pair (`IdMapping.findings`).
    public mutating func judge(reading read: ServerOwnerReader, subject: String) async -> [Finding] {
        await readServerOwner(read)
        return IdMapping.findings(self, subject: subject)
    }
}

/// Reads a path's numeric owner on the server (over NFSv3): the libnfs side, given by the caller.
public typealias ServerOwnerReader = @Sendable (ServerURL, String) async -> Result<Owner, OwnerReadFailure>

/// Why the server's owner could not be read.
public struct OwnerReadFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What an NFSv4 owner the kernel could not map looks like, and what to do about it.
public enum IdMapping {
    /// `nobody` as nfsidmap maps an unknown name (65534) and the kernel's own "could not map" (-2).
    public static let nobody: Set<UInt32> = [65534, 4294967294]
    /// The kernel's id for an owner string it could not map at all: no real account has it.
    public static let unmapped: UInt32 = 4294967294

    /// The rules these findings use.
    public static let rules: Set<Rule> = [.idmap, .idMismatch]

    /// `idmap` (warn) when the kernel shows nobody where the server stores another id, or shows the kernel's
    /// unmapped id at all; `id-mismatch` (warn) when both are real ids that differ; an info `idmap` when the
    /// kernel shows 65534 and the server's owner is unknown.
    public static func findings(_ c: OwnerComparison, subject: String) -> [Finding] {
        var out: [Finding] = []
        for (what, mine, theirs) in [("owner", c.kernel.uid, c.server?.uid), ("group", c.kernel.gid, c.server?.gid)] {
            if let theirs, mine == theirs { continue }
            if let theirs, !nobody.contains(mine) {
                out.append(Finding(.warn, "id-mismatch", subject: subject, "this node shows the \(what) of \(c.path) "
                                   + "as \(mine), the server stores \(theirs): the name maps to different ids here "
                                   + "and on the server",
                                   fix: "give the account the same uid and gid on every node and the server "
                                       + "(LDAP/sssd, or fixed ids)"))
            } else if let theirs {
                out.append(Finding(.warn, "idmap", subject: subject, "this node shows the \(what) of \(c.path) as "
                                   + "\(mine) (nobody) over NFSv4, the server stores \(theirs): NFSv4 id mapping does "
                                   + "not resolve the server's owner names (\(c.idMap.description))", fix: fix))
            } else if mine == unmapped {
                out.append(Finding(.warn, "idmap", subject: subject, "this node shows the \(what) of \(c.path) as "
                                   + "\(mine), the kernel's id for an NFSv4 owner it could not map "
                                   + "(\(c.idMap.description))"
                                   + (c.serverNote.map { "; the server's owner: \($0)" } ?? ""), fix: fix))
            } else if mine == 65534 {
                out.append(Finding(.info, "idmap", subject: subject, "this node shows the \(what) of \(c.path) as "
                                   + "65534 (nobody) over NFSv4: the server's owner, or a name id mapping did not "
                                   + "resolve; not compared: \(c.serverNote ?? "the server view was not read")"))
            }
        }
        return out
    }

    static let fix = "set /etc/idmapd.conf's Domain to the server's NFSv4 domain on every node, run nfsidmap -c "
        + "and remount; or let the server send numeric owners (knfsd: nfs4_disable_idmapping=Y in nfsd; ganesha: "
        + "Only_Numeric_Owners), which this node accepts with nfs4_disable_idmapping=Y; every owner also needs a "
        + "name here"
}
