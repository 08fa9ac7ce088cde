import CShim
import Glibc
import SystemPackage

/// What a worker gives up, and into what.
public struct SandboxPlan: Sendable {
    /// The account to run as (looked up with getpwnam before the chroot).
    public var user: String
    /// An empty directory, owned by root and not writable by `user`, to chroot into.
    /// nil skips the chroot (tests of the remaining steps only; never in production).
    public var rootDirectory: String?
    /// The seccomp filter; nil skips it (never in production).
    public var seccomp: SeccompFilter?
    /// Signal sent when the master dies (set after the uid change, which would reset it).
    public var parentDeathSignal: CInt?
    /// Resource limits set before the drop and verified after it; nil keeps the inherited ones
    /// (the operations process, whose descriptor count grows with its connections).
    public var limits: ResourceLimits?

    public init(user: String, rootDirectory: String?, seccomp: SeccompFilter? = .worker(),
                limits: ResourceLimits? = nil, parentDeathSignal: CInt? = SIGKILL) {
        self.user = user
        self.rootDirectory = rootDirectory
        self.seccomp = seccomp
        self.limits = limits
        self.parentDeathSignal = parentDeathSignal
    }
}

/// A failed step of ``Sandbox/enter(_:)``. The worker must exit: it is in an unknown state.
public struct SandboxError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Step: String, Sendable {
        case openStatus, multipleThreads, unknownUser, limits, rootNotEmpty, chroot, boundingSet
        case credentials, capabilities, dumpable, noNewPrivileges, seccomp, parentDeath, verify
    }
    public var step: Step
    public var errno: Errno?
    public var detail: String

    init(_ step: Step, _ errno: Errno? = nil, _ detail: String = "") {
        self.step = step
        self.errno = errno
        self.detail = detail
    }

    public var description: String {
        "privilege drop failed at \(step.rawValue)" + (errno.map { ": \($0)" } ?? "") + (detail.isEmpty ? "" : " (\(detail))")
    }
}

/// The privilege drop of a worker, in the documented order (docs/privileges.md).
public enum Sandbox {
    /// Drops every privilege, then verifies the result through `/proc/self/status` and returns it.
    ///
    /// Order: open /proc/self/status (kept for the check) → require a single thread → getpwnam
    /// → resource limits → chdir + chroot into the empty directory → drop the capability bounding set (needs
    /// CAP_SETPCAP, so before the uid change) → setgroups, setresgid, setresuid → clear the
    /// permitted/effective/inheritable and ambient sets → PR_SET_DUMPABLE 0 →
    /// PR_SET_NO_NEW_PRIVS → seccomp → parent-death signal → verify (including the limits read
    /// back and the dumpable flag).
    ///
    /// Call it first thing in `main`, before anything starts a thread: capabilities,
    /// NO_NEW_PRIVS and the dumpable flag are per thread.
    public static func enter(_ plan: SandboxPlan) throws(SandboxError) -> ProcessStatus {
        let statusFile: FileDescriptor
        do { statusFile = try FileDescriptor.open("/proc/self/status", .readOnly, options: .closeOnExec) } catch {
            throw SandboxError(.openStatus, error as? Errno)
        }
        defer { try? statusFile.close() }
        let before = try verifyStep(.openStatus) { try ProcessStatus.read(from: statusFile) }
        guard before.threads == 1 else { throw SandboxError(.multipleThreads, nil, "\(before.threads) threads") }
        let account = try lookUp(plan.user)
        if let limits = plan.limits { try step(.limits) { () throws(Errno) in try limits.apply() } }
        if let root = plan.rootDirectory { try changeRoot(to: root) }
        try step(.boundingSet) { () throws(Errno) in try Capabilities.dropBoundingSet() }
        try step(.credentials) { () throws(Errno) in try switchCredentials(to: account) }
        try step(.capabilities) { () throws(Errno) in
            try Capabilities.clearProcessSets()
            try Capabilities.clearAmbientSet()
        }
        try step(.dumpable) { () throws(Errno) in _ = try systemCall { cshim_set_dumpable(0) } }
        try step(.noNewPrivileges) { () throws(Errno) in _ = try systemCall { cshim_set_no_new_privs() } }
        if let filter = plan.seccomp {
            do { try filter.load() } catch { throw SandboxError(.seccomp, nil, "\(error)") }
        }
        if let signal = plan.parentDeathSignal {
            try step(.parentDeath) { () throws(Errno) in _ = try systemCall { cshim_set_parent_death_signal(signal) } }
            if CurrentProcess.parentID == 1 { throw SandboxError(.parentDeath, nil, "the master is already gone") }
        }
        let after = try verifyStep(.verify) { try ProcessStatus.read(from: statusFile) }
        var problems = SandboxAudit.problems(in: after, expectedUID: account.uid, expectedGID: account.gid,
                                             expectSeccomp: plan.seccomp != nil)
        problems += plan.limits?.mismatches() ?? []
        if cshim_get_dumpable() != 0 { problems.append("the process is dumpable") }
        if !problems.isEmpty { throw SandboxError(.verify, nil, problems.joined(separator: "; ")) }
        return after
    }

    /// A user's uid and primary gid.
    public struct Account: Sendable, Equatable {
        public var uid: uid_t
        public var gid: gid_t

        public init(uid: uid_t, gid: gid_t) {
            self.uid = uid
            self.gid = gid
        }
    }

    /// Looks `name` up in the user database, root included; nil when there is no such account.
    ///
    /// Corresponds to getpwnam(3).
    public static func lookUpAny(_ name: String) -> Account? {
        guard let entry = getpwnam(name) else { return nil }
        return Account(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    /// Looks `name` up in the user database; refuses root.
    ///
    /// Corresponds to getpwnam(3).
    public static func lookUp(_ name: String) throws(SandboxError) -> Account {
        guard let entry = getpwnam(name) else { throw SandboxError(.unknownUser, nil, name) }
        let account = Account(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
        guard account.uid != 0, account.gid != 0 else { throw SandboxError(.unknownUser, nil, "\(name) is root") }
        return account
    }

    /// chdir into `directory`, check it is empty, chroot(".") and chdir("/").
    ///
    /// Corresponds to chdir(2) and chroot(2).
    static func changeRoot(to directory: String) throws(SandboxError) {
        try step(.chroot) { () throws(Errno) in _ = try systemCall { chdir(directory) } }
        let entries: [String]
        do { entries = try FileSystem.names(in: ".") } catch { throw SandboxError(.chroot, error, directory) }
        guard entries.isEmpty else { throw SandboxError(.rootNotEmpty, nil, directory) }
        try step(.chroot) { () throws(Errno) in
            _ = try systemCall { chroot(".") }
            _ = try systemCall { chdir("/") }
        }
    }

    /// setgroups([gid]), setresgid(gid×3), setresuid(uid×3): the saved ids go too, so there is
    /// no way back to root.
    ///
    /// Corresponds to setgroups(2), setresgid(2) and setresuid(2).
    static func switchCredentials(to account: Account) throws(Errno) {
        var groups = [account.gid]
        _ = try systemCall { setgroups(1, &groups) }
        _ = try systemCall { cshim_setresgid(account.gid, account.gid, account.gid) }
        _ = try systemCall { cshim_setresuid(account.uid, account.uid, account.uid) }
    }

    private static func step(_ step: SandboxError.Step, _ body: () throws(Errno) -> Void) throws(SandboxError) {
        do { try body() } catch { throw SandboxError(step, error) }
    }

    private static func verifyStep(_ step: SandboxError.Step, _ body: () throws -> ProcessStatus) throws(SandboxError) -> ProcessStatus {
        do { return try body() } catch { throw SandboxError(step, error as? Errno, "\(error)") }
    }
}

/// Checks a ``ProcessStatus`` against what a sandboxed worker must look like. Used by the worker
/// on itself and by the master (or an operator) on a running worker's `/proc/PID/status`.
public enum SandboxAudit {
    /// Everything that is wrong; empty when the process is fully confined.
    public static func problems(in status: ProcessStatus, expectedUID: uid_t? = nil, expectedGID: gid_t? = nil,
                                expectSeccomp: Bool = true) -> [String] {
        var problems: [String] = []
        if status.uids.contains(0) { problems.append("a uid is 0: \(status.uids)") }
        if status.gids.contains(0) { problems.append("a gid is 0: \(status.gids)") }
        if let uid = expectedUID, status.uids.contains(where: { $0 != uid }) { problems.append("uids \(status.uids) ≠ \(uid)") }
        if let gid = expectedGID, status.gids.contains(where: { $0 != gid }) { problems.append("gids \(status.gids) ≠ \(gid)") }
        if let gid = expectedGID, status.groups != [gid] { problems.append("groups \(status.groups) ≠ [\(gid)]") }
        if !status.hasNoCapabilities { problems.append("capabilities remain") }
        if !status.noNewPrivileges { problems.append("NoNewPrivs is 0") }
        if expectSeccomp && status.seccompMode != 2 { problems.append("Seccomp is \(status.seccompMode), not 2") }
        return problems
    }
}
