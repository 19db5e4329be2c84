import Glibc

/// A user or group as this node's name service knows it (getpwnam/getgrnam: files, LDAP, sssd…).
public struct Account: Hashable, Sendable, Codable {
    public var name: String
    public var id: UInt32
}

public enum Accounts {
    /// The user named `name` (or given as a number) and its primary group id; nil if unknown here.
    public static func user(_ name: String) -> (user: Account, primaryGroup: UInt32)? {
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        if let uid = UInt32(name) {
            guard getpwuid_r(uid, &pwd, &buffer, buffer.count, &result) == 0, result != nil else {
                return (Account(name: name, id: uid), uid)  // a bare number is taken as given
            }
        } else {
            guard getpwnam_r(name, &pwd, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        }
        return (Account(name: String(cString: pwd.pw_name), id: pwd.pw_uid), pwd.pw_gid)
    }

    /// The group named `name` (or given as a number); nil if unknown here.
    public static func group(_ name: String) -> Account? {
        if let gid = UInt32(name) {
            return groupName(gid).map { Account(name: $0, id: gid) } ?? Account(name: name, id: gid)
        }
        var grp = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getgrnam_r(name, &grp, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return Account(name: String(cString: grp.gr_name), id: grp.gr_gid)
    }

    public static func groupName(_ gid: UInt32) -> String? {
        var grp = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getgrgid_r(gid, &grp, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return String(cString: grp.gr_name)
    }
}
