/// The Posit guides whose requirements nfskeeper checks: each title and address in one place, so that
/// a rule cites a guide by name and docs/posit-readiness.md's requirement table links it.
public enum PositGuide: String, Sendable, CaseIterable {
    case workbenchLoadBalancing
    case workbenchScratchPath
    case workbenchProjectSharing
    case workbenchSessionStorage
    case packageManagerHA
    case packageManagerNFS
    case connectHA
    case connectSQLite

    public var title: String {
        switch self {
        case .workbenchLoadBalancing: "Workbench Admin Guide, Load balancing › Configuration"
        case .workbenchScratchPath: "Posit support, Removal of the scratch-path option in load balanced clusters"
        case .workbenchProjectSharing: "Workbench Admin Guide, Project Sharing"
        case .workbenchSessionStorage: "Workbench Admin Guide, Session Storage"
        case .packageManagerHA: "Package Manager Admin Guide, High Availability and Load Balancing"
        case .packageManagerNFS: "Package Manager Admin Guide, Network File Systems"
        case .connectHA: "Connect Admin Guide, High Availability & Load Balancing"
        case .connectSQLite: "Connect Admin Guide, Database › SQLite"
        }
    }

    public var url: String {
        switch self {
        case .workbenchLoadBalancing: "https://docs.posit.co/ide/server-pro/load_balancing/configuration.html"
        case .workbenchScratchPath: "https://support.posit.co/hc/en-us/articles/13775419874967"
        case .workbenchProjectSharing: "https://docs.posit.co/ide/server-pro/rstudio_pro_sessions/project_sharing.html"
        case .workbenchSessionStorage:
            "https://docs.posit.co/ide/server-pro/admin/server_management/session_storage.html"
        case .packageManagerHA: "https://docs.posit.co/rspm/admin/ha/"
        case .packageManagerNFS: "https://docs.posit.co/rspm/admin/file-storage/nfs"
        case .connectHA: "https://docs.posit.co/connect/admin/load-balancing/"
        case .connectSQLite: "https://docs.posit.co/connect/admin/database/sqlite"
        }
    }
}

/// Where a guide states the requirement a rule checks: the guide and its section or step, as the
/// guide numbers it ("requirement 2", "HA Checklist, step 6").
public struct Citation: Sendable, Hashable {
    public let guide: PositGuide
    public let section: String

    public init(_ guide: PositGuide, _ section: String) { (self.guide, self.section) = (guide, section) }

    /// `[short title § section](url)`, for docs/posit-readiness.md.
    public var markdown: String { "[\(guide.title), \(section)](\(guide.url))" }
}
