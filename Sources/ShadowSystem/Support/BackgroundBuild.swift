import Glibc

/// A value built on a background POSIX thread for one generation — a working copy prepared when a
/// snapshot becomes live, before anyone needs it — and taken once by whoever needs it for that
/// generation, waiting for the build to finish if it still runs.
///
/// One build runs at a time: a generation asked for while another is being built waits for it,
/// replacing any generation already waiting (only the latest is wanted). A value built for a
/// generation that is no longer the one asked for is dropped as soon as it is done. No Dispatch,
/// no Swift task: usable in the sandboxed operations process and in the master's poll loop.
public final class BackgroundBuild<Value: Sendable>: @unchecked Sendable {
    // @unchecked: every stored variable is read and written under `lock` only.
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let finished = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// The generation asked for last (nil: none, or it was taken or cancelled).
    private var target: UInt64?
    /// Counts requests (each start that changes ``target``, each cancel). A build delivers its
    /// value only if no request came after the one that asked for it: after a cancel, the same
    /// generation asked for again is built again, not served from the cancelled build.
    private var request: UInt64 = 0
    /// The generation the thread is building now, if one runs.
    private var running: UInt64?
    /// The build waiting for the running one to finish.
    private var queued: (generation: UInt64, request: UInt64, make: @Sendable () -> Value)?
    /// The value for `target`, once built.
    private var built: (generation: UInt64, value: Value)?
    /// Callers of ``takeSuspending(generation:)`` waiting for the build of a generation.
    private var waiters: [(generation: UInt64, continuation: CheckedContinuation<Value?, Never>)] = []

    public init() {
        pthread_mutex_init(lock, nil)
        pthread_cond_init(finished, nil)
    }

    deinit {
        pthread_cond_destroy(finished)
        pthread_mutex_destroy(lock)
        finished.deallocate()
        lock.deallocate()
    }

    /// Starts building `make()` for `generation` (after the running build, if there is one), and
    /// drops anything built or asked for an earlier generation. Returns false when no thread could
    /// be started: then nothing is asked for and the caller builds when it needs the value.
    ///
    /// Corresponds to pthread_create(3) (through ``BackgroundThread/detach(_:)``).
    @discardableResult
    public func start(generation: UInt64, _ make: @escaping @Sendable () -> Value) -> Bool {
        let resume: [CheckedContinuation<Value?, Never>]
        let startNow: Bool
        pthread_mutex_lock(lock)
        if target == generation {
            pthread_mutex_unlock(lock)
            return true
        }
        resume = dropWaiters { $0 != generation }
        target = generation
        request &+= 1
        let asked = request
        built = nil
        if running == nil {
            running = generation
            queued = nil
            startNow = true
        } else {
            queued = (generation, asked, make)
            startNow = false
        }
        pthread_mutex_unlock(lock)
        for c in resume { c.resume(returning: nil) }
        guard startNow else { return true }
        do {
            try BackgroundThread.detach { [self] in run(generation, asked, make) }
            return true
        } catch {
            pthread_mutex_lock(lock)
            running = nil
            if target == generation { target = nil }
            let resume = dropWaiters { _ in true }
            pthread_mutex_unlock(lock)
            for c in resume { c.resume(returning: nil) }
            return false
        }
    }

    /// Drops whatever was built or asked for (a build that runs finishes, and its value is freed).
    public func cancel() {
        pthread_mutex_lock(lock)
        target = nil
        request &+= 1
        queued = nil
        built = nil
        let resume = dropWaiters { _ in true }
        pthread_cond_broadcast(finished)
        pthread_mutex_unlock(lock)
        for c in resume { c.resume(returning: nil) }
    }

    /// The value built for `generation`, waiting (blocking this thread) while its build runs; nil
    /// when `generation` is not the one asked for. Taken once: the next call returns nil.
    ///
    /// Corresponds to pthread_cond_wait(3).
    public func take(generation: UInt64) -> Value? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        while target == generation && built == nil { pthread_cond_wait(finished, lock) }
        return takeBuilt(generation)
    }

    /// The value built for `generation` if its build is done, else nil at once (a build that runs
    /// goes on). Taken once, like ``take(generation:)``.
    public func takeIfBuilt(generation: UInt64) -> Value? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return takeBuilt(generation)
    }

    /// ``take(generation:)``, suspending instead of blocking while the build runs.
    public func takeSuspending(generation: UInt64) async -> Value? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
            pthread_mutex_lock(lock)
            if target == generation && built == nil {
                waiters.append((generation, continuation))
                pthread_mutex_unlock(lock)
                return
            }
            let value = takeBuilt(generation)
            pthread_mutex_unlock(lock)
            continuation.resume(returning: value)
        }
    }

    /// Whether a value for `generation` is asked for, built or being built.
    public func isPrepared(generation: UInt64) -> Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return target == generation
    }

    // MARK: under the lock

    private func takeBuilt(_ generation: UInt64) -> Value? {
        guard let b = built, b.generation == generation else { return nil }
        built = nil
        target = nil
        return b.value
    }

    private func dropWaiters(_ matching: (UInt64) -> Bool) -> [CheckedContinuation<Value?, Never>] {
        let dropped = waiters.filter { matching($0.generation) }.map(\.continuation)
        waiters.removeAll { matching($0.generation) }
        return dropped
    }

    // MARK: the thread

    private func run(_ first: UInt64, _ asked: UInt64, _ firstMake: @escaping @Sendable () -> Value) {
        var next: (generation: UInt64, request: UInt64, make: @Sendable () -> Value)? = (first, asked, firstMake)
        while let job = next {
            let generation = job.generation
            let value = job.make()
            var handOver: CheckedContinuation<Value?, Never>?
            pthread_mutex_lock(lock)
            if target == generation && request == job.request {
                if let i = waiters.firstIndex(where: { $0.generation == generation }) {
                    handOver = waiters.remove(at: i).continuation
                    target = nil
                } else {
                    built = (generation, value)
                }
            }
            let others = dropWaiters { $0 == generation }
            next = queued
            queued = nil
            running = next?.generation
            pthread_cond_broadcast(finished)
            pthread_mutex_unlock(lock)
            handOver?.resume(returning: value)
            for c in others { c.resume(returning: nil) }
        }
    }
}
