import Glibc
import ShadowCore

/// Looking up a Unix group in the user database (`/etc/group`, `/etc/passwd` or NSS).
public enum GroupDirectory {
    /// Why a group could not be resolved.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// `name` resolved to its gid and every uid that belongs to it: accounts whose primary group
    /// it is and the accounts it lists as members.
    ///
    /// Corresponds to getgrnam(3), getpwnam(3) for each listed member, and setpwent(3)/getpwent(3)
    /// over all accounts. Not thread-safe (these use static buffers): call it at start, before
    /// threads that use them.
    public static func resolve(_ name: String) throws(Failure) -> ResolvedGroup {
        guard let group = getgrnam(name) else {
            throw Failure(description: "no group named \"\(name)\" on this host")
        }
        let gid = group.pointee.gr_gid
        var names: [String] = []
        if var member = group.pointee.gr_mem {
            while let p = member.pointee {
                names.append(String(cString: p))
                member += 1
            }
        }
        var uids = Set<UInt32>()
        for n in names {
            if let entry = getpwnam(n) { uids.insert(entry.pointee.pw_uid) }
        }
        setpwent()
        while let entry = getpwent() {
            if entry.pointee.pw_gid == gid { uids.insert(entry.pointee.pw_uid) }
        }
        endpwent()
        return ResolvedGroup(name: name, gid: gid, memberUIDs: uids)
    }
}
