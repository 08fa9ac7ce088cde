import CShim
import Glibc
import SystemPackage

// The one helper every wrapper in ShadowSystem goes through, after swift-nio's
// `Sources/NIOPosix/System.swift` (`syscall(blocking:where:_:)`, `isUnacceptableErrno`) and
// swift-system's `valueOrErrno`: errno is read immediately after the call, EINTR is retried,
// EBADF and EFAULT are programming errors (a descriptor we closed or never had, a bad pointer)
// and stop the process, and every other failure is thrown as ``Errno``.

/// Whether `code` can only come from a bug in the caller: a descriptor that is not open (EBADF)
/// or a pointer outside the address space (EFAULT). Nothing at run time explains either.
@inline(__always)
func isUnacceptableErrno(_ code: CInt) -> Bool {
    code == EBADF || code == EFAULT
}

/// Stops the process when `code` is EBADF or EFAULT (see ``isUnacceptableErrno(_:)``).
@inline(__always)
func preconditionIsNotUnacceptableErrno(_ code: CInt, where function: StaticString) {
    if isUnacceptableErrno(code) { unacceptableErrno(code, where: function) }
}

/// Kept out of line so the wrappers that inline the check stay as small as the bare call.
@inline(never)
func unacceptableErrno(_ code: CInt, where function: StaticString) -> Never {
    preconditionFailure("\(function) failed with \(Errno(rawValue: code)) (errno \(code)): a bug, not a run-time condition")
}

/// Calls `body`, a system call wrapper that returns -1 and sets `errno` on failure, and reads
/// `errno` immediately after it.
///
/// - EINTR: the call is made again when `retryOnInterrupt` (the default). Pass false for
///   close(2) — on Linux an interrupted close has still released the descriptor, so retrying
///   could close one another thread just received — and for calls whose interruption the caller
///   handles itself; EINTR is then thrown like any other error.
/// - EBADF, EFAULT: `preconditionFailure` (see ``isUnacceptableErrno(_:)``).
/// - Anything else is thrown as ``Errno``; the caller decides what is expected (EAGAIN on a
///   non-blocking or timed-out receive, ECHILD from waitpid, …).
///
/// On success this is exactly `body()` and one comparison: it inlines into the caller.
@inline(__always)
func systemCall<Result: FixedWidthInteger>(
    where function: StaticString = #function, retryOnInterrupt: Bool = true, _ body: () -> Result
) throws(Errno) -> Result {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code == EINTR && retryOnInterrupt { continue }
        preconditionIsNotUnacceptableErrno(code, where: function)
        throw Errno(rawValue: code)
    }
}

/// The ``Errno`` of a call that reports failure some other way than -1 (a nil or MAP_FAILED
/// pointer), read immediately after it, with EBADF and EFAULT treated as in ``systemCall(where:retryOnInterrupt:_:)``.
@inline(__always)
func lastErrno(where function: StaticString = #function) -> Errno {
    let code = errno
    preconditionIsNotUnacceptableErrno(code, where: function)
    return Errno(rawValue: code)
}

/// For functions that return an errno value instead of setting `errno` (posix_spawn(3), the
/// posix_spawn_file_actions / posix_spawnattr family, pthread_create(3)). EBADF and EFAULT are
/// treated as in ``systemCall(where:retryOnInterrupt:_:)``.
@inline(__always)
func checkReturnedErrno(_ code: CInt, where function: StaticString = #function) throws(Errno) {
    if code != 0 {
        preconditionIsNotUnacceptableErrno(code, where: function)
        throw Errno(rawValue: code)
    }
}

extension FileDescriptor {
    /// Sets or clears O_NONBLOCK.
    ///
    /// Corresponds to fcntl(2) with F_GETFL and F_SETFL.
    public func setNonBlocking(_ on: Bool) throws(Errno) {
        let flags = try systemCall { fcntl(rawValue, F_GETFL) }
        let updated = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        if updated != flags { _ = try systemCall { fcntl(rawValue, F_SETFL, updated) } }
    }

    /// Whether FD_CLOEXEC is set.
    ///
    /// Corresponds to fcntl(2) with F_GETFD.
    public func isCloseOnExec() throws(Errno) -> Bool {
        try systemCall { fcntl(rawValue, F_GETFD) } & FD_CLOEXEC != 0
    }

    /// A duplicate with FD_CLOEXEC set, numbered `minimum` or higher.
    ///
    /// Corresponds to fcntl(2) with F_DUPFD_CLOEXEC.
    public func duplicateCloseOnExec(atLeast minimum: CInt) throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try systemCall { fcntl(rawValue, F_DUPFD_CLOEXEC, minimum) })
    }

    /// Closes the descriptor, throwing ``Errno``. Never retried (see
    /// ``systemCall(where:retryOnInterrupt:_:)``); closing a descriptor that is not open is a bug.
    ///
    /// Corresponds to close(2).
    public func closeChecked() throws(Errno) {
        _ = try systemCall(retryOnInterrupt: false) { Glibc.close(rawValue) }
    }
}
