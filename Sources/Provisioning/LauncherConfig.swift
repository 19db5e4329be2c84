import FoundationGaps
import Glibc
import FoundationEssentials
import Mounts
import PositConfig
import Reports

/// Posit Workbench's launcher and server configuration, as far as the scratch directory goes:
/// `launcher.local.conf` (`scratch-path=`), `launcher.conf` (`[cluster]` `name=`/`type=Local`),
/// `rserver.conf` (`server-user=`). Simple `key=value` files with `#` comments and `[sections]`.
public struct LauncherConfig: Sendable {
    public var directory: String

    public init(directory: String) { self.directory = directory }

    public var localConf: String { directory + "/launcher.local.conf" }
    public var launcherConf: String { directory + "/launcher.conf" }
    public var rserverConf: String { directory + "/rserver.conf" }
    public var loadBalancerFile: String { directory + "/load-balancer" }

    /// How Workbench balances here, from the same files `ready` reads (the version unknown: the
    /// configuration is taken at its word). It decides whether a scratch path off the share is wrong.
    public var balancing: WorkbenchBalancing {
        func settings(_ path: String) -> [String: String] {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return Dictionary(parseConfigEntries(text).map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        }
        return WorkbenchBalancing(rserver: settings(rserverConf), launcherLocal: settings(localConf),
                                  loadBalancerFileExists: FileManager.default.fileExists(atPath: loadBalancerFile),
                                  version: nil)
    }

    /// Findings about the three files for a scratch directory `scratch`, cluster `cluster`, owner `owner`.
    /// Long: one check per setting of the three files, in the order an admin reads them.
    public func findings(scratch: String, cluster: String, owner: String) -> [Finding] {
        var out: [Finding] = []
        // A missing file is judged as missing by the findings.
        func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }
        if let text = read(localConf) {
            let value = parseConfigEntries(text).last { $0.key == "scratch-path" }
            // Off the share is wrong only where the Local plugin finds its peers in scratch-path.
            let balancing = balancing
            let severity: Severity = balancing.scratchMustBeShared ? .warn : .info
            let fine = balancing.scratchMustBeShared ? "" : " (which is fine: \(balancing.scratchReason))"
            switch value {
            case nil:
                out.append(
                    Finding(
                        severity, "scratch-path", subject: localConf, option: "scratch-path", value: nil,
                        "scratch-path is not set: the Local launcher uses /var/lib/rstudio-launcher, local to each "
                        + "node" + fine,
                        fix: "scratch-path=\(scratch) (nfskeeper provision --write-config)"))
            case let v? where v.value != scratch && v.value.trimmingSuffix("/") != scratch:
                out.append(
                    Finding(
                        severity, "scratch-path", subject: localConf, option: "scratch-path", value: v.value,
                        "\(localConf):\(v.line) sets scratch-path=\(v.value), not the provisioned \(scratch)" + fine,
                        fix: "scratch-path=\(scratch) (nfskeeper provision --write-config)"))
            case let v?:
                out.append(
                    Finding(
                        .ok, "scratch-path", subject: localConf, option: "scratch-path", value: v.value,
                        "scratch-path names the provisioned directory"))
            }
        } else {
            out.append(
                Finding(
                    .info, "scratch-path", subject: localConf,
                    "\(localConf) does not exist: not a Workbench launcher node, or configured elsewhere"))
        }
        if let text = read(launcherConf) {
            let entries = parseConfigEntries(text).filter { $0.section == "cluster" }
            let localNames = Self.clusters(entries).filter { $0.type.lowercased() == "local" }.map(\.name)
            if localNames.isEmpty {
                out.append(
                    Finding(
                        .warn, "launcher-cluster", subject: launcherConf,
                        "no [cluster] of type Local in \(launcherConf)", fix: "add [cluster] name=\(cluster) type=Local"
                    ))
            } else if !localNames.contains(cluster) {
                out.append(
                    Finding(
                        .warn, "launcher-cluster", subject: launcherConf, option: "name",
                        value: localNames.joined(separator: ","),
                        "the Local cluster is named \(localNames.joined(separator: ", ")) in \(launcherConf), "
                             + "not \(cluster)",
                        fix: "provision with --cluster \(localNames[0]), or rename the cluster"))
            }
        }
        if let text = read(rserverConf), let user = parseConfigEntries(text).last(where: { $0.key == "server-user" }),
            user.value != owner
        {
            out.append(
                Finding(
                    .warn, "server-user", subject: rserverConf, option: "server-user", value: user.value,
                    "\(rserverConf) runs Workbench as \(user.value), but the scratch directory is for \(owner)",
                    fix: "provision with --owner \(user.value)"))
        }
        return out
    }

    static func clusters(_ entries: [ConfigEntry]) -> [(name: String, type: String)] {
        // Each `name=` in a [cluster] section starts a cluster; a following `type=` belongs to it.
        var out: [(name: String, type: String)] = []
        for e in entries {
            if e.key == "name" { out.append((e.value, "")) }
            if e.key == "type", !out.isEmpty { out[out.count - 1].type = e.value }
        }
        return out
    }

    /// Sets `scratch-path=` in launcher.local.conf, keeping every other byte; the original is kept
    /// as `launcher.local.conf.nfskeeper-YYYYmmddTHHMMSSZ.bak`. Returns the backup's path (nil when
    /// the file did not exist and was created). Written to a temporary file and renamed into place.
    public func writeScratchPath(_ scratch: String, now: Date = Date()) throws -> (changed: Bool, backup: String?) {
        let manager = FileManager.default
        let existing = manager.contents(atPath: localConf)
        var bytes = existing ?? Data()
        let text = String(decoding: bytes, as: UTF8.self)
        if let current = parseConfigEntries(text).last(where: { $0.key == "scratch-path" }) {
            if current.value == scratch { return (false, nil) }
            var lines = splitLines(text).map(String.init)
            let old = lines[current.line - 1]
            let eq = old.firstIndex(of: "=")!
            let trailingCR = old.hasSuffix("\r") ? "\r" : ""
            lines[current.line - 1] = String(old[...eq]) + scratch + trailingCR
            bytes = Data(lines.joined(separator: "\n").utf8)
        } else {
            if !bytes.isEmpty && bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
            bytes.append(contentsOf: Array("scratch-path=\(scratch)\n".utf8))
        }
        var backup: String?
        if existing != nil {
            let stamp = utcText(now.timeIntervalSince1970, "%Y%m%dT%H%M%SZ")  // ISO 8601, basic format
            backup = localConf + ".nfskeeper-\(stamp).bak"
            try manager.copyItem(atPath: localConf, toPath: backup!)
        }
        // The replacement keeps the file's mode and owner; exclusive temporary, fsync, rename (LocalFile).
        var st = stat()
        let kept = existing != nil && lstat(localConf, &st) == 0
        try LocalFile.writeAtomically(
            Array(bytes), to: localConf, mode: kept ? st.st_mode & 0o7777 : 0o644,
            owner: kept ? (st.st_uid, st.st_gid) : nil)
        return (true, backup)
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) && count > 1 ? String(dropLast(suffix.count)) : self
    }
}
