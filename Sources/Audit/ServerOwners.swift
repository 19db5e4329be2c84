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
            } catch let error as ServerViewError where error.isServerAnswer {
                // A private kernel mount is no ground truth here: NFSv4 shows owners through the id mapping judged.
                return .failure(OwnerReadFailure(
                    "the export answers no NFSv3 (\(error)), the one protocol that carries owners as numbers; "
                        + "an NFSv4 mount, this node's or a private one, shows them through the id mapping compared"))
            } catch {
                return .failure(OwnerReadFailure("\(error)"))
            }
        }
    }
}
