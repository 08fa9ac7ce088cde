import Glibc
import ShadowSystem

/// Three system accounts `BASE-v4`, `BASE-v6`, `BASE-ops` (each with its own group, no home,
/// nologin) for a test of the one-account-per-process mapping; `BASE` itself is not created.
/// Needs root. ``remove()`` deletes them (and their groups); call it in `defer`.
public struct TestAccounts: Sendable {
    public struct Account: Sendable, Equatable {
        public var name: String
        public var uid: UInt32
        public var gid: UInt32
    }

    /// `config.json`'s `user` for them.
    public let base: String
    public private(set) var accounts: [String: Account] = [:]

    /// Creates the accounts under a unique base name `_shtXXXXXX`; throws (after removing what it
    /// created) when `useradd` fails.
    public init() throws {
        base = "_sht" + String(UInt32.random(in: 0x10_0000...0xFF_FFFF), radix: 16)
        for kind in ["v4", "v6", "ops"] {
            let name = "\(base)-\(kind)"
            let status = ExternalCommand.runBlocking("/usr/sbin/useradd", [
                "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                "--user-group", name,
            ])
            guard status == .exited(0), let entry = getpwnam(name) else {
                remove()
                throw TestingError("useradd \(name) failed: \(String(describing: status))")
            }
            accounts[kind] = Account(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
        }
    }

    /// `BASE-kind`.
    public subscript(kind: String) -> Account { accounts[kind]! }

    /// Deletes the three accounts (those that exist) and their groups.
    public func remove() {
        for kind in ["v4", "v6", "ops"] {
            let name = "\(base)-\(kind)"
            guard getpwnam(name) != nil else { continue }
            _ = ExternalCommand.runBlocking("/usr/sbin/userdel", [name])
            if getgrnam(name) != nil { _ = ExternalCommand.runBlocking("/usr/sbin/groupdel", [name]) }
        }
    }
}
