import FoundationGaps
import Check
import FoundationEssentials
import Mounts
import PositConfig

/// What one node has that the readiness requirements look at, read once: installed products and
/// versions, accounts, the products' configuration files, and the mount table. Everything is read
/// below `root` (a simulated node in tests; `/` on a real one); paths in the facts are the node's own.
public struct NodeFacts: Sendable {
    public var versions: [PositProduct: String] = [:]
    public var passwd = PasswdFile(parsing: "")
    /// Groups, as `passwd`: the name service on this node, the files below another root.
    public var groups = GroupFile(parsing: "")
    public var mounts = MountTable(entries: [])
    /// The text of each configuration file that exists, by the node's path.
    public var files: [String: String] = [:]
    /// Configuration directories that exist.
    public var configDirectories: Set<String> = []
    /// Every file of each product's configuration directory, for the fleet's "identical" requirement.
    public var configs: [PositProduct: ConfigDirectory] = [:]
    /// The directory standing for the node's `/` ("" for this node).
    public var base = ""
    /// NFSv4 id mapping: `/etc/idmapd.conf` and the nfs module's parameter.
    public var idMap = IdMapSettings.unknown

    public init() {}

    /// The files each product's requirements read.
    public static let productFiles: [PositProduct: [String]] = [
        .workbench: ["/etc/rstudio/rserver.conf", "/etc/rstudio/database.conf", "/etc/rstudio/launcher.conf",
                     "/etc/rstudio/launcher.local.conf", "/etc/rstudio/file-locks", "/etc/rstudio/load-balancer",
                     "/usr/lib/rstudio-server/VERSION"],
        .packageManager: [PositProduct.packageManager.gcfgFile!],
        .connect: [PositProduct.connect.gcfgFile!],
    ]

    /// Reads a node below `root`; `mountInfo` is its mount table's text.
    public static func load(root: String, mountInfo: String) -> NodeFacts {
        let base = root == "/" ? "" : (root.hasSuffix("/") ? String(root.dropLast()) : root)
        func read(_ path: String) -> String? { readWholeFile(base + path, limit: 1 << 20) }
        var facts = NodeFacts()
        facts.base = base
        facts.mounts = MountTable(MountInfo(parsing: mountInfo))
        // This node: its name service (LDAP and SSSD users count); another tree: its files.
        facts.passwd = base.isEmpty ? NameService.users() : PasswdFile(parsing: read("/etc/passwd") ?? "")
        facts.groups = base.isEmpty ? NameService.groups() : GroupFile(parsing: read("/etc/group") ?? "")
        facts.idMap = IdMapSettings.read(root: base)
        let dpkg = DpkgStatus(parsing: read("/var/lib/dpkg/status") ?? "")
        for product in PositProduct.allCases {
            var isDirectory = false
            if FileManager.default.fileExists(atPath: base + product.configDirectory, isDirectory: &isDirectory),
               isDirectory {
                facts.configDirectories.insert(product.configDirectory)
            }
            let config = ConfigDirectory.read(base + product.configDirectory)
            facts.configs[product] = config
            for path in productFiles[product] ?? [] {
                let inside = path.hasPrefix(product.configDirectory + "/")
                let text = inside ? config.text(String(path.dropFirst(product.configDirectory.count + 1))) : read(path)
                if let text { facts.files[path] = text }
            }
            facts.versions[product] = product.packages.lazy.compactMap { dpkg.installed[$0] }.first
                ?? (root == "/" && dpkg.installed.isEmpty ? rpmVersion(product) : nil)  // rpm: RPM systems only
        }
        if facts.versions[.workbench] == nil, let version = facts.files["/usr/lib/rstudio-server/VERSION"] {
            facts.versions[.workbench] = version.trimmed()
        }
        return facts
    }

    /// A small file's bytes, base64 (a key: at most 64 KiB, never printed, only fingerprinted); nil when
    /// unreadable. The bytes as they are: a binary key read as text would lose what is not UTF-8, and
    /// two different keys could then fingerprint alike.
    public func secret(_ path: String) -> String? {
        readWholeFileBytes(base + path, limit: 64 << 10).map { Data($0).base64EncodedString() }
    }

    /// The mount table to read for a node below `root`: its own `<root>/proc/self/mountinfo` (a support
    /// bundle, a simulated node) when there is one, else `otherwise`.
    public static func mountInfoPath(root: String, otherwise: String) -> String {
        let bundled = (root.hasSuffix("/") ? String(root.dropLast()) : root) + "/proc/self/mountinfo"
        return root != "/" && FileManager.default.fileExists(atPath: bundled) ? bundled : otherwise
    }

    /// Installed: a package, or at least its configuration directory.
    public func isInstalled(_ product: PositProduct) -> Bool {
        versions[product] != nil || configDirectories.contains(product.configDirectory)
    }

    /// Where `path` lives: its mount, by the same longest-prefix resolution `check` uses offline.
    public func mount(of path: String) -> MountInfoEntry? {
        mounts.mount(containing: MountTable.normalize(path))
    }

    /// The version from rpm's database, on RPM systems (`rpm -q`); nil elsewhere.
    static func rpmVersion(_ product: PositProduct) -> String? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/rpm"),
              FileManager.default.fileExists(atPath: "/var/lib/rpm") else { return nil }
        for package in product.packages {
            let query = ["-q", "--qf", "%{VERSION}-%{RELEASE}", package]
            guard let rpm = runProgram("/usr/bin/rpm", query) else { return nil }  // nil: no rpm to ask
            if rpm.status == 0, !rpm.output.isEmpty { return rpm.output }
        }
        return nil
    }
}
