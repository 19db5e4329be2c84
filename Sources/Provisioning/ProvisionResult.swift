import FoundationEssentials
import Reports
import ServerView

/// What `nfskeeper provision` is asked to make.
public struct ProvisionRequest: Sendable {
    /// The shared directory, as mounted on this node (`/mnt/shared`): the scratch directory goes in it.
    public var share: String
    public var cluster = "Local"
    public var owner = "rstudio-server"
    /// Defaults to the owner's primary group.
    public var group: String?
    public var mode: UInt32 = 0o755
    public var allowNonNFS = false
    public var dryRun = false
    /// The server view's URL; derived from the mount when nil.
    public var server: ServerURL?
    /// Who plays the other node (the server view's sessions).
    public var otherNode = OtherNodeChoice.auto
    public var rstudioConfigDirectory = "/etc/rstudio"
    public var writeConfig = false
    public var node: String
    public var timeout: Duration = .seconds(10)
    /// The mount table to read; `/proc/self/mountinfo` when nil.
    public var mountInfoText: String?

    public init(share: String, node: String) {
        self.share = share
        self.node = node
    }

    public var scratchPath: String { (share.hasSuffix("/") ? share : share + "/") + cluster }
}

/// One step of the plan: what, through which view, and whether it was carried out.
public struct ProvisionAction: Codable, Sendable, Hashable {
    public enum Route: String, Codable, Sendable { case kernel, serverView = "server-view", file }
    public var action: String
    public var route: Route
    public var detail: String
    public var done: Bool
}

/// Owner and mode of the scratch directory as one view reports them.
public struct DirectoryView: Codable, Sendable, Hashable {
    public var uid: UInt32
    public var gid: UInt32
    public var mode: String
}

/// The outcome, for people and for Ansible/cloud-init (`changed`, `actions`, `findings`).
public struct ProvisionResult: Codable, Sendable {
    public var path: String
    public var owner: Account?
    public var group: Account?
    public var mode: String
    public var dryRun: Bool
    public var changed = false
    public var rootSquashed: Bool?
    public var serverURL: String?
    /// Which other node the server view was (`OtherNode`'s words).
    public var otherNode: String?
    public var serverPath: String?
    public var actions: [ProvisionAction] = []
    /// As the server stores it (numeric ids, through the server view).
    public var serverView: DirectoryView?
    /// As this node's mount shows it (`stat`).
    public var kernelView: DirectoryView?
    public var findings: [Finding] = []

    public var severity: Severity { findings.worst }
    /// 0 ok, 1 warnings, 2 failed.
    public var exitCode: Int32 { severity >= .unknown ? 2 : severity.exitCode }

    public func textReport(color: Bool = Terminal.isColorful) -> String {
        var facts: [(String, TextTable.Cell)] = [
            ("Scratch directory", TextTable.Cell(path)),
            (
                "Wanted",
                TextTable.Cell(
                    "owner \(owner.map { "\($0.name) (\($0.id))" } ?? "?"), "
                         + "group \(group.map { "\($0.name) (\($0.id))" } ?? "?"), mode \(mode)"
                )
            ),
        ]
        if let serverURL {
            facts.append(("Server view", TextTable.Cell(serverURL + (serverPath.map { " path \($0)" } ?? ""))))
        }
        if let otherNode {
            facts.append(("Other node", TextTable.Cell(otherNode)))
        }
        if let rootSquashed {
            facts.append(
                (
                    "Root squash",
                    TextTable.Cell(rootSquashed ? "yes: changes go through the server view as the owner" : "no")
                ))
        }
        if let v = serverView {
            facts.append(("On the server", TextTable.Cell("uid \(v.uid), gid \(v.gid), mode \(v.mode)")))
        }
        if let v = kernelView {
            facts.append(("On this node", TextTable.Cell("uid \(v.uid), gid \(v.gid), mode \(v.mode)")))
        }
        let state =
            dryRun ? (actions.isEmpty ? "nothing to do" : "plan only (--dry-run)") : (changed ? "changed" : "unchanged")
        facts.append(("Result", TextTable.Cell(state, severity: severity >= .crit ? .crit : changed ? .info : .ok)))
        var out = keyValueBlock(facts, color: color)
        if !actions.isEmpty {
            var table = TextTable(headers: ["ACTION", "VIA", "DETAIL", "DONE"])
            for a in actions { table.add(a.action, a.route.rawValue, a.detail, a.done ? "yes" : "no") }
            out += "\n\n" + table.render(color: color)
        }
        return out + "\n\n" + findingsTable(findings.filter { $0.severity != .ok }, color: color)
    }
}

func octal(_ mode: UInt32) -> String { "0" + String(mode & 0o7777, radix: 8) }
