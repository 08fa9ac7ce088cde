import ShadowSystem
import Synchronization
import SystemPackage

/// How other threads (the management server, the metrics endpoint) ask a poll loop to do
/// something: they post a job and await its result; the loop wakes on ``descriptor``, runs the
/// jobs on its own thread — handing each the `Target` it owns, so the target's state needs no
/// locks and need not be Sendable — and resumes the callers.
final class Mailbox<Target>: Sendable {
    typealias Job = @Sendable (Target) -> Void

    private let jobs = Mutex<[Job]>([])
    private let wakeup: Wakeup

    init() throws {
        wakeup = try Wakeup()
    }

    /// The descriptor the loop polls for `.readable`.
    var descriptor: FileDescriptor { wakeup.descriptor }

    /// Runs `body` on the loop's thread with its target and returns the result. Any thread.
    func perform<Result: Sendable>(_ body: @escaping @Sendable (Target) -> Result) async -> Result {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result, Never>) in
            post { target in continuation.resume(returning: body(target)) }
        }
    }

    /// Queues `job` without waiting for it. Any thread.
    func post(_ job: @escaping Job) {
        jobs.withLock { $0.append(job) }
        wakeup.signal()
    }

    /// Runs every queued job, in order (the loop's thread only). Returns how many ran.
    @discardableResult
    func drain(into target: Target) -> Int {
        wakeup.clear()
        let pending = jobs.withLock { list -> [Job] in
            defer { list.removeAll() }
            return list
        }
        for job in pending { job(target) }
        return pending.count
    }
}

typealias MasterMailbox = Mailbox<Master>
