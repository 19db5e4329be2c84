import SystemPackage
import Reports
import KernelView
import Mounts
import NFSModel

/// Where a directory of this node's mount lives on the server: the server view's URL and the path
/// inside the export. For NFS the URL comes from the mount source and options and the path adds
/// the mount's root (bind mounts of a subdirectory); `--server` overrides the URL for FUSE or bind
/// views of an export, whose mount point then stands for the export's root.
public struct ServerLocation: Sendable {
    public var mount: MountInfoEntry
    public var url: ServerURL
    public var path: String

    public enum Failure: Error, CustomStringConvertible {
        case notMounted(String)
        case notNFS(MountInfoEntry)
        case noServer(MountInfoEntry)

        public var description: String {
            switch self {
            case .notMounted(let path): "no mount holds \(path)"
            case .notNFS(let m): "\(m.mountPoint) is \(m.fsType) (\(m.source)), not NFS"
            case .noServer(let m):
                "no server view for \(m.source): it is not host:/export; pass --server nfs://HOST/EXPORT"
            }
        }
    }

    /// `path` must be normalized; `device` (from stat) picks between mounts that contain it.
    public static func resolve(
        _ path: String, in table: MountTable, device: (major: UInt32, minor: UInt32)?,
        server: ServerURL?, allowNonNFS: Bool
    ) -> Result<ServerLocation, Failure> {
        guard let mount = table.mount(containing: path, device: device) else { return .failure(.notMounted(path)) }
        guard mount.isNFS || allowNonNFS else { return .failure(.notNFS(mount)) }
        let options = NFSMountOptions(parsing: mount.superOptions, fsType: mount.fsType)
        guard let url = server ?? (mount.isNFS ? ServerURL(mountSource: mount.source, options: options) : nil) else {
            return .failure(.noServer(mount))
        }
        let root = mount.isNFS && server == nil ? mount.root : "/"
        return .success(ServerLocation(mount: mount, url: url, path: mount.pathInFilesystem(path, root: root)))
    }
}

extension ServerLocation {
    /// Why a share could not be located, in the words a finding uses.
    public enum LocateFailure: Error, CustomStringConvertible {
        /// The share did not answer within the timeout: a hard mount whose server is gone.
        case hung(String)
        /// The path itself: missing, a symlink on the way, not a directory.
        case unusable(String)
        case notLocated(Failure)

        /// The finding's rule: `hung` for a mount that does not answer, `share` for the rest.
        public var rule: Rule {
            if case .hung = self { "hung" } else { "share" }
        }

        public var description: String {
            switch self {
            case .hung(let message), .unusable(let message): message
            case .notLocated(let failure): failure.description
            }
        }
    }

    /// The share on this node (opened component by component, no symlink followed), its mount in
    /// `mountInfoPath`, and the same directory on the server.
    public static func locate(
        _ share: String, kernel: KernelView, mountInfoPath: String, server: ServerURL?,
        allowNonNFS: Bool
    ) -> Result<ServerLocation, LocateFailure> {
        locate(
            share, kernel: kernel, mountInfoText: readWholeFile(mountInfoPath) ?? "", server: server,
            allowNonNFS: allowNonNFS)
    }

    /// The same, from a mount table already read.
    public static func locate(
        _ share: String, kernel: KernelView, mountInfoText: String, server: ServerURL?,
        allowNonNFS: Bool
    ) -> Result<ServerLocation, LocateFailure> {
        let path = MountTable.normalize(share)
        let device: (major: UInt32, minor: UInt32)
        switch kernel.openDirectoryNoFollow(path).then({ $0.status() }) {
        case .success(let st): device = (st.deviceMajor, st.deviceMinor)
        case .timedOut:
            return .failure(
                .hung(
                    "\(path) does not answer within \(kernel.timeout): "
                        + "a hard mount whose server is gone?"))
        case .failure(let e):
            return .failure(.unusable("\(path): \(e.description) (a symlink on the way is refused)"))
        }
        let table = MountTable(MountInfo(parsing: mountInfoText))
        return resolve(path, in: table, device: device, server: server, allowNonNFS: allowNonNFS)
            .mapError { .notLocated($0) }
    }
}
