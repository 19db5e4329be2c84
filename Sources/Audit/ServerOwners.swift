import Check
import NFSModel
import ServerView

/// The server's numeric owners for `check`'s NFSv4 id-mapping comparison.
public enum ServerOwners {
    /// Reads an owner over NFSv3 within `timeout`, at most 3 s (a check must stay quick where only NFSv4
    /// passes the firewall); the failure says why, in words a finding can carry.
    public static func reader(timeout: Duration) -> ServerOwnerReader {
        let limit = min(timeout, .seconds(3))
        return { url, path in
            do {
                let owner = try await ServerView.numericOwner(url, path: path, timeout: limit)
                return .success(Owner(uid: owner.uid, gid: owner.gid))
            } catch {
                return .failure(OwnerReadFailure("\(error)"))
            }
        }
    }
}
