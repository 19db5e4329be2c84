import Mounts
import NFSModel

extension ServerLocation {
    /// Why the other node asked for cannot be had on this share.
    public struct OtherNodeFailure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// This share's mount options, as the kernel shows them now.
    public var liveOptions: NFSMountOptions { NFSMountOptions(parsing: mount.superOptions, fsType: mount.fsType) }

    /// The private kernel mount that plays the other node for `choice`, or nil for libnfs. `auto` takes the
    /// kernel where libnfs 4.0.0 cannot talk to the server at all (`sec=krb5*`: it speaks AUTH_SYS only);
    /// `noNFSv3` (the caller found an NFSv4 export that answers no NFSv3, and judges owners or attributes)
    /// makes it take the kernel too.
    public func privateMount(
        for choice: OtherNodeChoice, noNFSv3: Bool = false, timeout: Duration
    ) -> Result<PrivateMountRequest?, OtherNodeFailure> {
        let options = liveOptions
        switch choice {
        case .libnfs: return .success(nil)
        case .auto where !mount.isNFS || (options.sec == "sys" && !noNFSv3): return .success(nil)
        case .auto, .kernel:
            guard mount.isNFS else {
                return .failure(OtherNodeFailure(description: "a private kernel mount needs the share's own NFS "
                    + "mount, and \(mount.mountPoint) is \(mount.fsType) (\(mount.source))"))
            }
            return options.privateMount(source: mount.source, fsType: mount.fsType, timeout: timeout)
                .map(Optional.some).mapError { OtherNodeFailure(description: $0.description) }
        }
    }
}
