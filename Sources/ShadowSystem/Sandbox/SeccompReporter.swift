import CSeccomp
import CShim
import Glibc
import SystemPackage

/// Names the system call that the worker's filter refused (docs/privileges.md, "When the filter
/// refuses a call"). The worker's filter traps (SECCOMP_RET_TRAP) instead of killing silently: the
/// kernel delivers SIGSYS with the call's number, a handler writes
/// `shadow-v4: killed by seccomp: syscall 302 (prlimit64)` to stderr with write(2) only and
/// re-raises SIGSYS with the default action, so the process still dies by SIGSYS and the refused
/// call never runs. The master reads the line from the worker's stderr pipe.
public enum SeccompReporter {
    /// Fills the handler's table of call names (libseccomp's, for this architecture) and installs
    /// the SIGSYS handler. Call before the filter is loaded.
    ///
    /// Corresponds to sigaction(2) (SIGSYS, SA_SIGINFO | SA_RESETHAND).
    public static func install(process: String) throws(Errno) {
        for number in Int32(0)..<1024 {
            guard let name = seccomp_syscall_resolve_num_arch(0 /* SCMP_ARCH_NATIVE */, number) else { continue }
            cshim_sigsys_set_name(number, name)
            free(name)
        }
        _ = try systemCall { cshim_sigsys_install(process) }
    }

    /// A refused call as the handler reported it.
    public struct Report: Sendable, Equatable {
        public var process: String
        public var number: Int
        public var name: String

        public init(process: String, number: Int, name: String) {
            self.process = process
            self.number = number
            self.name = name
        }
    }

    /// Parses `PROCESS: killed by seccomp: syscall N (NAME)`; nil for any other line.
    public static func parse(_ line: Substring) -> Report? {
        let marker = ": killed by seccomp: syscall "
        guard let range = line.firstRange(of: marker) else { return nil }
        let rest = line[range.upperBound...]
        guard let space = rest.firstIndex(of: " "), let number = Int(rest[..<space]),
              rest[space...].hasPrefix(" ("), rest.hasSuffix(")") else { return nil }
        let name = rest[rest.index(space, offsetBy: 2)..<rest.index(before: rest.endIndex)]
        return Report(process: String(line[..<range.lowerBound]), number: number, name: String(name))
    }
}
