import Glibc
import PositConfig

/// This node's users and groups as its name service lists them (`getent passwd`, `getent group`:
/// files, and LDAP or SSSD where they enumerate), bounded: a directory of a million accounts is read
/// up to `limit` entries each, not to the end.
///
/// SSSD does not enumerate by default (`enumerate = false`): its users are then missing from the list
/// on every node alike, which hides no difference between nodes but leaves them uncompared.
///
/// `getpwent`/`getgrent` share one cursor per process (glibc sizes the entries, however many members a
/// group has): the audit reads them once, from one task.
enum NameService {
    static let limit = AccountSummary.limit + 1

    /// Users (getpwent), at most `limit`.
    static func users() -> PasswdFile {
        var out: [PasswdFile.User] = []
        setpwent()
        defer { endpwent() }
        while out.count < limit, let e = getpwent()?.pointee {
            out.append(.init(name: String(cString: e.pw_name), uid: e.pw_uid, gid: e.pw_gid,
                             home: String(cString: e.pw_dir)))
        }
        return PasswdFile(users: out)
    }

    /// Groups (getgrent) with their members, at most `limit`.
    static func groups() -> GroupFile {
        var out: [GroupFile.Group] = []
        setgrent()
        defer { endgrent() }
        while out.count < limit, let e = getgrent()?.pointee {
            var members: [String] = []
            var member = e.gr_mem
            while let m = member?.pointee { members.append(String(cString: m)); member = member?.successor() }
            out.append(.init(name: String(cString: e.gr_name), gid: e.gr_gid, members: members))
        }
        return GroupFile(groups: out)
    }
}
