import CShim
import Glibc
import SystemPackage

/// Calls a system call wrapper that returns -1 on failure, reads `errno` immediately and retries
/// when the call was interrupted by a signal (EINTR). Any other failure is thrown as ``Errno``.
///
/// Never use this for close(2): on Linux a close interrupted by a signal has still released the
/// descriptor, so retrying it could close a descriptor another thread just received.
@inline(__always)
func retryingInterrupts<Result: FixedWidthInteger>(_ body: () -> Result) throws(Errno) -> Result {
    while true {
        let result = body()
        if result != -1 { return result }
        let error = Errno(rawValue: errno)
        if error == .interrupted { continue }
        throw error
    }
}

/// Like ``retryingInterrupts(_:)`` for calls that must not be repeated (close(2)), or whose
/// interruption the caller handles itself.
@inline(__always)
func valueOrErrno<Result: FixedWidthInteger>(_ body: () -> Result) throws(Errno) -> Result {
    let result = body()
    if result == -1 { throw Errno(rawValue: errno) }
    return result
}

/// For functions that return an errno value instead of setting `errno` (posix_spawn(3) and the
/// posix_spawn_file_actions / posix_spawnattr family).
@inline(__always)
func checkReturnedErrno(_ code: CInt) throws(Errno) {
    if code != 0 { throw Errno(rawValue: code) }
}

extension FileDescriptor {
    /// Sets or clears O_NONBLOCK.
    ///
    /// Corresponds to fcntl(2) with F_GETFL and F_SETFL.
    public func setNonBlocking(_ on: Bool) throws(Errno) {
        let flags = try retryingInterrupts { fcntl(rawValue, F_GETFL) }
        let updated = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        if updated != flags { _ = try retryingInterrupts { fcntl(rawValue, F_SETFL, updated) } }
    }

    /// Whether FD_CLOEXEC is set.
    ///
    /// Corresponds to fcntl(2) with F_GETFD.
    public func isCloseOnExec() throws(Errno) -> Bool {
        try retryingInterrupts { fcntl(rawValue, F_GETFD) } & FD_CLOEXEC != 0
    }

    /// A duplicate with FD_CLOEXEC set, numbered `minimum` or higher.
    ///
    /// Corresponds to fcntl(2) with F_DUPFD_CLOEXEC.
    public func duplicateCloseOnExec(atLeast minimum: CInt) throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try retryingInterrupts { fcntl(rawValue, F_DUPFD_CLOEXEC, minimum) })
    }

    /// Closes the descriptor, throwing ``Errno`` (never retried: see ``valueOrErrno(_:)``).
    ///
    /// Corresponds to close(2).
    public func closeChecked() throws(Errno) {
        _ = try valueOrErrno { Glibc.close(rawValue) }
    }
}
