import Glibc
import SystemPackage

/// How a child ended.
public enum TerminationStatus: Equatable, Sendable, CustomStringConvertible {
    /// exit(code)
    case exited(CInt)
    /// Killed by this signal.
    case signaled(CInt)

    /// Decodes a wait(2) status word (WIFEXITED/WEXITSTATUS/WTERMSIG, which Swift cannot import).
    public init(waitStatus status: CInt) {
        if status & 0x7F == 0 { self = .exited((status >> 8) & 0xFF) } else { self = .signaled(status & 0x7F) }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        }
    }
}

/// A spawned child, by pid. Reap it exactly once (``wait()``, ``tryWait()`` or ``reapAny()``).
public struct ChildProcess: Sendable, Hashable {
    public let pid: pid_t

    public init(pid: pid_t) { self.pid = pid }

    /// Blocks until the child ends and reaps it.
    ///
    /// Corresponds to waitpid(2).
    public func wait() throws(Errno) -> TerminationStatus {
        var status: CInt = 0
        _ = try systemCall { waitpid(pid, &status, 0) }
        return TerminationStatus(waitStatus: status)
    }

    /// Reaps the child if it has ended; nil while it runs.
    ///
    /// Corresponds to waitpid(2) with WNOHANG.
    public func tryWait() throws(Errno) -> TerminationStatus? {
        var status: CInt = 0
        let r = try systemCall { waitpid(pid, &status, WNOHANG) }
        return r == 0 ? nil : TerminationStatus(waitStatus: status)
    }

    /// Sends `signal` (e.g. SIGTERM, SIGKILL).
    ///
    /// Corresponds to kill(2).
    public func signal(_ signal: CInt) throws(Errno) {
        _ = try systemCall { kill(pid, signal) }
    }

    /// Reaps any one ended child without blocking (for a SIGCHLD handler: call until nil).
    ///
    /// Corresponds to waitpid(2) with pid -1 and WNOHANG. ECHILD (no children) returns nil.
    public static func reapAny() throws(Errno) -> (ChildProcess, TerminationStatus)? {
        var status: CInt = 0
        let r: pid_t
        do { r = try systemCall { waitpid(-1, &status, WNOHANG) } } catch where error == .noChildProcess {
            return nil
        }
        return r == 0 ? nil : (ChildProcess(pid: r), TerminationStatus(waitStatus: status))
    }
}
