import CSeccomp
import Glibc
import SystemPackage

/// A seccomp filter built with libseccomp: refuse by default and allow only the listed calls (the
/// workers' and the operations process's allow lists). libseccomp adds the architecture check: a
/// call made through another ABI (i386 `int 0x80`, an x32 number) kills the process.
///
/// Loading fails closed: a call name libseccomp does not know, a rule or attribute it rejects,
/// or a thread the filter cannot be synchronised to is an error, never a skipped rule.
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
        /// Skip the call and send SIGSYS to the thread, with the call's number in `si_syscall`
        /// (SCMP_ACT_TRAP). With ``SeccompReporter`` installed the process reports the call and
        /// dies by SIGSYS; without a handler SIGSYS's default action ends it.
        case trap

        var rawValue: UInt32 {
            switch self {
            case .fail(let errno): 0x0005_0000 | (UInt32(errno.rawValue) & 0xFFFF)
            case .allow: 0x7FFF_0000
            case .killProcess: 0x8000_0000
            case .trap: 0x0003_0000
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
        /// libseccomp does not know this call name on this architecture.
        case unknownSyscall(String)
        /// A filter attribute could not be set (libseccomp returned -errno).
        case attributeRejected(String, Errno)
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

    /// Names in ``rules`` libseccomp does not know on this architecture; ``load()`` refuses them.
    public var unknownSyscalls: [String] {
        rules.map(\.syscall).filter { seccomp_syscall_resolve_name($0) == __NR_SCMP_ERROR }
    }

    /// Installs the filter on every thread of the process (TSYNC: loading fails if one cannot be
    /// synchronised). Requires NO_NEW_PRIVS or CAP_SYS_ADMIN. Irreversible. A call through another
    /// ABI than x86-64's (i386, x32) kills the process.
    ///
    /// Corresponds to seccomp(2) SECCOMP_SET_MODE_FILTER (via seccomp_load(3)).
    public func load() throws(LoadError) {
        guard let context = seccomp_init(defaultAction.rawValue) else { throw .initFailed }
        defer { seccomp_release(context) }
        let attributes: [(String, scmp_filter_attr, UInt32)] = [
            ("TSYNC", SCMP_FLTATR_CTL_TSYNC, 1),
            ("bad architecture action", SCMP_FLTATR_ACT_BADARCH, Action.killProcess.rawValue),
        ]
        for (name, attribute, value) in attributes {
            let rc = seccomp_attr_set(context, attribute, value)
            if rc < 0 { throw .attributeRejected(name, Errno(rawValue: -rc)) }
        }
        for rule in rules {
            let number = seccomp_syscall_resolve_name(rule.syscall)
            if number == __NR_SCMP_ERROR { throw .unknownSyscall(rule.syscall) }
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
