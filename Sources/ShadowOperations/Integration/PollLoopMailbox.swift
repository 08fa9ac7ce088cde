import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Hands work from Swift tasks (management and metrics requests) to the master's single-threaded
/// poll loop, and the results back.
///
/// The poll loop adds ``wakeDescriptor`` to its `poll(2)` set (POLLIN) and calls ``drain()``
/// when it is readable; each job then runs on the poll thread, so a ``ManagementBackend`` can
/// read and change the master's state without locks:
///
/// ```swift
/// func status() async -> StatusReport { await mailbox.run { master.statusReport() } }
/// ```
///
/// Jobs must be short (they run between packets' worth of poll-loop work); anything slow —
/// writing `reservations.json`, validating — belongs outside the job.
public final class PollLoopMailbox: Sendable {
    /// Readable when jobs are waiting. Non-blocking, close-on-exec.
    public let wakeDescriptor: Int32
    private let writeDescriptor: Int32
    private let jobs = Mutex<[@Sendable () -> Void]>([])

    /// Why the wake pipe could not be created.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Creates the wake pipe. Corresponds to pipe(2) and fcntl(2).
    public init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw Failure(description: "pipe: \(String(cString: strerror(errno)))") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeDescriptor = fds[0]
        writeDescriptor = fds[1]
    }

    deinit {
        close(wakeDescriptor)
        close(writeDescriptor)
    }

    /// Runs `body` on the poll thread at its next ``drain()`` and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            post { continuation.resume(returning: body()) }
        }
    }

    /// Queues `job` for the poll thread without waiting for it.
    public func post(_ job: @escaping @Sendable () -> Void) {
        let wasEmpty = jobs.withLock { list in
            list.append(job)
            return list.count == 1
        }
        if wasEmpty {
            var byte: UInt8 = 1
            _ = write(writeDescriptor, &byte, 1) // a full pipe already means "wake up"
        }
    }

    /// Poll thread: empties the wake pipe and runs every queued job, in order. Returns how many ran.
    @discardableResult
    public func drain() -> Int {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(wakeDescriptor, &scratch, scratch.count) > 0 {}
        let batch = jobs.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for job in batch { job() }
        return batch.count
    }
}
