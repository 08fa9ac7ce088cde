import CSeccomp
import Glibc
import SystemPackage

/// A seccomp filter built with libseccomp: either allow by default and refuse the listed system
/// calls (the workers' deny list), or kill by default and allow only the listed ones (the
/// operations process's allow list). Either way libseccomp adds the architecture check: a call
/// made through another ABI (e.g. i386 `int 0x80` on x86-64) kills the process.
///
/// libseccomp's `SCMP_ACT_*` and `SCMP_SYS()` are macros Swift cannot import, so actions are
/// spelled with their numeric values and calls are resolved by name.
public struct SeccompFilter: Sendable {
    /// What happens to a matching call.
    public enum Action: Sendable, Hashable {
        /// Fail with this errno (SCMP_ACT_ERRNO).
        case fail(Errno)
        /// Let the call through (SCMP_ACT_ALLOW).
        case allow
        /// Kill the whole process, as if by SIGSYS, uncatchable (SCMP_ACT_KILL_PROCESS).
        case killProcess

        var rawValue: UInt32 {
            switch self {
            case .fail(let errno): 0x0005_0000 | (UInt32(errno.rawValue) & 0xFFFF)
            case .allow: 0x7FFF_0000
            case .killProcess: 0x8000_0000
            }
        }
    }

    /// A condition on one argument.
    public enum Condition: Sendable, Hashable {
        /// Argument `index` is not `value`.
        case notEqual(argument: UInt32, value: UInt64)
        /// Argument `index` is `value`.
        case equal(argument: UInt32, value: UInt64)
        /// Argument `index` ANDed with `mask` equals `value`.
        case maskedEqual(argument: UInt32, mask: UInt64, value: UInt64)
    }

    /// One rule: `action` for `syscall` when every condition holds.
    public struct Rule: Sendable, Hashable {
        public var syscall: String
        public var action: Action
        public var conditions: [Condition]

        public init(_ syscall: String, _ action: Action = .fail(.notPermitted), when conditions: [Condition] = []) {
            self.syscall = syscall
            self.action = action
            self.conditions = conditions
        }
    }

    /// Why loading failed.
    public enum LoadError: Error, Equatable, Sendable {
        case initFailed
        /// A rule could not be added (libseccomp returned -errno).
        case ruleRejected(String, Errno)
        case loadFailed(Errno)
    }

    /// What happens to a call no rule matches.
    public var defaultAction: Action
    public var rules: [Rule]

    public init(defaultAction: Action = .allow, rules: [Rule]) {
        self.defaultAction = defaultAction
        self.rules = rules
    }

    /// Names in ``rules`` the running kernel/architecture does not know; they are skipped at load.
    public var unknownSyscalls: [String] {
        rules.map(\.syscall).filter { seccomp_syscall_resolve_name($0) == __NR_SCMP_ERROR }
    }

    /// Installs the filter on the calling thread (and, with TSYNC, every thread). Requires
    /// NO_NEW_PRIVS or CAP_SYS_ADMIN. Irreversible.
    ///
    /// Corresponds to seccomp(2) SECCOMP_SET_MODE_FILTER (via seccomp_load(3)).
    public func load() throws(LoadError) {
        guard let context = seccomp_init(defaultAction.rawValue) else { throw .initFailed }
        defer { seccomp_release(context) }
        _ = seccomp_attr_set(context, SCMP_FLTATR_CTL_TSYNC, 1)
        for rule in rules {
            let number = seccomp_syscall_resolve_name(rule.syscall)
            if number == __NR_SCMP_ERROR { continue }
            var comparisons = rule.conditions.map { condition -> scmp_arg_cmp in
                switch condition {
                case .notEqual(let arg, let value):
                    scmp_arg_cmp(arg: arg, op: SCMP_CMP_NE, datum_a: value, datum_b: 0)
                case .equal(let arg, let value):
                    scmp_arg_cmp(arg: arg, op: SCMP_CMP_EQ, datum_a: value, datum_b: 0)
                case .maskedEqual(let arg, let mask, let value):
                    scmp_arg_cmp(arg: arg, op: SCMP_CMP_MASKED_EQ, datum_a: mask, datum_b: value)
                }
            }
            let rc = seccomp_rule_add_array(context, rule.action.rawValue, number,
                                            UInt32(comparisons.count), &comparisons)
            if rc < 0 { throw .ruleRejected(rule.syscall, Errno(rawValue: -rc)) }
        }
        let rc = seccomp_load(context)
        if rc < 0 { throw .loadFailed(Errno(rawValue: -rc)) }
    }
}

extension SeccompFilter {
    /// The worker's filter (docs/privileges.md lists and explains it). Everything the worker
    /// needs after the drop — recvmmsg/sendmmsg on inherited sockets, recvmsg/sendmsg on the IPC
    /// socket, mmap of a received memfd, poll, futex, clock_gettime, write to stderr, thread
    /// creation by the runtime — stays allowed. Refused with EPERM: new sockets and connections,
    /// exec, process creation, opening files, ptrace, mounts, chroot, credential changes,
    /// kernel modules and signals to any other process. clone3 fails with ENOSYS so glibc falls
    /// back to clone(2), which is allowed for threads (CLONE_THREAD) only.
    public static func worker(selfPID: Int32 = CurrentProcess.id) -> SeccompFilter {
        let deny: [String] = [
            // network: only the inherited sockets are used
            "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
            // programs and processes
            "execve", "execveat", "fork", "vfork", "ptrace", "process_vm_readv", "process_vm_writev",
            "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "unshare", "setns",
            // files: everything needed is opened before the drop
            "open", "openat", "openat2", "creat", "open_by_handle_at", "name_to_handle_at",
            "mknod", "mknodat", "link", "linkat", "symlink", "symlinkat", "unlink", "unlinkat",
            "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir", "truncate",
            "chmod", "fchmod", "fchmodat", "chown", "fchown", "fchownat", "lchown",
            // system administration
            "mount", "umount2", "pivot_root", "chroot", "swapon", "swapoff", "reboot", "kexec_load",
            "kexec_file_load", "init_module", "finit_module", "delete_module", "bpf",
            "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key", "io_uring_setup",
            "acct", "settimeofday", "clock_settime", "sethostname", "setdomainname", "syslog",
            // credentials
            "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid",
            "setfsgid", "setgroups", "capset",
        ]
        var rules = deny.map { Rule($0) }
        let me = UInt64(UInt32(bitPattern: selfPID))
        rules += ["kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"].map {
            Rule($0, when: [.notEqual(argument: 0, value: me)])
        }
        rules.append(Rule("tkill"))
        let cloneThread: UInt64 = 0x0001_0000  // CLONE_THREAD
        rules.append(Rule("clone", when: [.maskedEqual(argument: 0, mask: cloneThread, value: 0)]))
        rules.append(Rule("clone3", .fail(.noFunction)))
        return SeccompFilter(rules: rules)
    }
}
