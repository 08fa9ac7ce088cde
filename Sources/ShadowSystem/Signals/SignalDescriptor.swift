import CShim
import Glibc
import SystemPackage

/// Signals delivered as a readable descriptor, so a poll loop handles them as ordinary events and
/// no work ever runs inside a signal handler.
///
/// Create it first thing in `main`, before any thread starts: the signals are blocked in the
/// calling thread and every thread created later inherits that mask. Children started with
/// ``ProcessSpawner`` get an empty mask back.
public final class SignalDescriptor {
    public let descriptor: FileDescriptor

    /// Blocks `signals` and opens a close-on-exec, non-blocking signalfd for them.
    ///
    /// Corresponds to pthread_sigmask(3) and signalfd(2).
    public init(_ signals: [CInt]) throws(Errno) {
        let fd = try signals.withUnsafeBufferPointer { (buf) throws(Errno) -> CInt in
            try systemCall { cshim_signalfd_block(buf.baseAddress, CInt(buf.count)) }
        }
        descriptor = FileDescriptor(rawValue: fd)
    }

    deinit { try? descriptor.closeChecked() }

    /// The next pending signal and the pid that sent it, or nil when none is pending.
    ///
    /// Corresponds to read(2) of a `signalfd_siginfo`.
    public func next() throws(Errno) -> (signal: CInt, senderPID: pid_t)? {
        var pid: CInt = 0
        let signo = try systemCall { cshim_signalfd_read(descriptor.rawValue, &pid) }
        return signo == 0 ? nil : (signo, pid_t(pid))
    }
}
