import ShadowSystem
import Synchronization
import SystemPackage

/// How other threads (the management server, the metrics endpoint) ask the master to do
/// something: they post a job and await its result; the master's poll loop wakes on the mailbox's
/// descriptor, runs the jobs on its own thread (so the master's state needs no locks) and resumes
/// the callers.
final class MasterMailbox: Sendable {
    typealias Job = @Sendable (Master) -> Void

    private let jobs = Mutex<[Job]>([])
    private let wakeup: Wakeup

    init() throws {
        wakeup = try Wakeup()
    }

    /// The descriptor the master polls.
    var descriptor: FileDescriptor { wakeup.descriptor }

    /// Runs `body` on the master's thread and returns its result. Callable from any thread.
    func perform<Result: Sendable>(_ body: @escaping @Sendable (Master) -> Result) async -> Result {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result, Never>) in
            jobs.withLock { $0.append { master in continuation.resume(returning: body(master)) } }
            wakeup.signal()
        }
    }

    /// Runs every posted job (master thread only).
    func drain(into master: Master) {
        wakeup.clear()
        let pending = jobs.withLock { list -> [Job] in
            defer { list.removeAll() }
            return list
        }
        for job in pending { job(master) }
    }
}
