import IPC
import ShadowSystem

/// The account each sandboxed process runs as, resolved from `config.json`'s `user`
/// (docs/privileges.md, "One account per process").
///
/// `"user": "X"` gives `X-v4`, `X-v6` and `X-ops` when all three exist: the DHCPv4 workers, the
/// DHCPv6 workers and the operations process then run under three different uids and primary
/// gids, so none can signal, `prlimit` or trace another. When any of the three is missing, every
/// process runs as `X` and ``warning`` says what that allows. Several workers of one protocol
/// share that protocol's account (they share its socket too).
public struct ProcessAccounts: Sendable, Equatable {
    /// One resolved account.
    public struct Named: Sendable, Equatable {
        public var name: String
        public var uid: UInt32
        public var gid: UInt32

        public var account: Sandbox.Account { Sandbox.Account(uid: uid, gid: gid) }
    }

    /// `config.json`'s `user`.
    public var configured: String
    public var v4: Named
    public var v6: Named
    public var ops: Named

    /// True when the three processes run as `configured` itself.
    public var isShared: Bool { v4 == v6 }

    /// The account of `kind`'s processes.
    public func account(for kind: WorkerKind) -> Named {
        switch kind {
        case .v4: v4
        case .v6: v6
        case .ops: ops
        }
    }

    /// The name of `kind`'s dedicated account for `user`.
    public static func dedicatedName(_ user: String, _ kind: WorkerKind) -> String { "\(user)-\(kind.rawValue)" }

    /// Why a resolution failed: each line is a `config.json` problem.
    public struct Failure: Error, Sendable, Equatable {
        public var lines: [String]
    }

    /// Resolves `user` with `lookUp` (getpwnam in production).
    ///
    /// The dedicated accounts are used when all three exist; they must then be three different
    /// uids and three different gids, none 0 (anything else is refused: the separation would be
    /// an illusion). Otherwise `user` itself must exist and not be root.
    public static func resolve(
        _ user: String, lookUp: (String) -> (uid: UInt32, gid: UInt32)? = ProcessAccounts.passwd
    ) -> Result<ProcessAccounts, Failure> {
        let kinds: [WorkerKind] = [.v4, .v6, .ops]
        let dedicated = kinds.map { kind in
            lookUp(dedicatedName(user, kind)).map { Named(name: dedicatedName(user, kind), uid: $0.uid, gid: $0.gid) }
        }
        if dedicated.allSatisfy({ $0 != nil }) {
            let named = dedicated.map { $0! }
            var lines: [String] = []
            for a in named where a.uid == 0 || a.gid == 0 {
                lines.append("config.json: user: \"\(a.name)\" has uid or gid 0; the sandboxed processes need unprivileged accounts")
            }
            for i in 0..<named.count {
                for j in (i + 1)..<named.count {
                    let a = named[i], b = named[j]
                    if a.uid == b.uid {
                        lines.append("config.json: user: \"\(a.name)\" and \"\(b.name)\" have the same uid \(a.uid); each needs its own")
                    }
                    if a.gid == b.gid {
                        lines.append("config.json: user: \"\(a.name)\" and \"\(b.name)\" have the same primary gid \(a.gid); each needs its own group")
                    }
                }
            }
            guard lines.isEmpty else { return .failure(Failure(lines: lines)) }
            return .success(ProcessAccounts(configured: user, v4: named[0], v6: named[1], ops: named[2]))
        }
        guard let shared = lookUp(user) else {
            return .failure(Failure(lines: [
                "config.json: user: no account named \"\(user)\" (nor \(kinds.map { "\"\(dedicatedName(user, $0))\"" }.joined(separator: ", "))) "
                    + "on this host (the sandboxed processes run as them)",
            ]))
        }
        guard shared.uid != 0, shared.gid != 0 else {
            return .failure(Failure(lines: [
                "config.json: user: \"\(user)\" has uid or gid 0; the sandboxed processes need an unprivileged account",
            ]))
        }
        let one = Named(name: user, uid: shared.uid, gid: shared.gid)
        return .success(ProcessAccounts(configured: user, v4: one, v6: one, ops: one))
    }

    /// Said at every start and by `--check` when the processes share one account.
    public var warning: String? {
        guard isShared else { return nil }
        let names = [WorkerKind.v4, .v6, .ops].map { ProcessAccounts.dedicatedName(configured, $0) }
        return "config.json: user: shadow-v4, shadow-v6 and shadow-ops share the account \(configured): "
            + "any of them can signal, prlimit or trace the others; create \(names.joined(separator: ", "))"
    }

    /// Said by `--check` when an account is `nobody`, which other daemons use too.
    public var nobodyWarning: String? {
        let names = Set([v4.name, v6.name, ops.name])
        guard names.contains("nobody") else { return nil }
        return "config.json: user: the sandboxed processes run as nobody, which other daemons may use too "
            + "(each could signal or trace them); use dedicated accounts (docs/privileges.md)"
    }

    /// getpwnam(3).
    public static func passwd(_ name: String) -> (uid: UInt32, gid: UInt32)? {
        guard let a = Sandbox.lookUpAny(name) else { return nil }
        return (a.uid, a.gid)
    }
}
