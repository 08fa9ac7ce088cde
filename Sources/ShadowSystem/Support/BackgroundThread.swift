import CShim
import Glibc
import SystemPackage

/// A detached POSIX thread for one long job (a worker decoding and indexing a new snapshot while
/// its packet loop keeps serving the old one). Started after the privilege drop, it inherits the
/// dropped credentials, capability sets, NO_NEW_PRIVS and seccomp filter of its creator.
public enum BackgroundThread {
    private final class Job {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Gives the calling thread the lowest scheduling priority (nice 19), for work that may wait
    /// for every other: the threads it starts afterwards inherit it. Other threads of the process
    /// keep theirs.
    ///
    /// Corresponds to setpriority(2) with PRIO_PROCESS and the thread's id (gettid(2)).
    public static func lowerPriority() {
        _ = cshim_set_thread_nice(19)
    }

    /// Runs `body` on a new detached thread.
    ///
    /// Corresponds to pthread_create(3) and pthread_detach(3).
    public static func detach(_ body: @escaping @Sendable () -> Void) throws(Errno) {
        let job = Unmanaged.passRetained(Job(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<Job>.fromOpaque(argument).takeRetainedValue().body()
            return nil
        }, job)
        guard rc == 0 else {
            Unmanaged<Job>.fromOpaque(job).release()
            throw Errno(rawValue: rc)
        }
        pthread_detach(thread)
    }

    /// The result of `body`, run on a new detached thread while the calling task is suspended (so
    /// a long computation holds neither an event loop nor a thread of Swift's cooperative pool).
    /// When no thread can be started, `body` runs on the caller's thread.
    ///
    /// Corresponds to pthread_create(3) and pthread_detach(3).
    public static func result<T: Sendable>(of body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            do {
                try detach { continuation.resume(returning: body()) }
            } catch {
                continuation.resume(returning: body())
            }
        }
    }

    /// Runs `background` on a new thread while `body` runs on this one, and returns both results
    /// once both are done (`background`'s result is read only after the thread ended). When no
    /// thread can be started, `background` runs here first.
    ///
    /// Corresponds to pthread_create(3) and pthread_join(3).
    public static func alongside<T: Sendable, R>(_ background: @escaping @Sendable () -> T, _ body: () -> R) -> (T, R) {
        let box = Box<T>()
        let job = Unmanaged.passRetained(Job { box.value = background() }).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<Job>.fromOpaque(argument).takeRetainedValue().body()
            return nil
        }, job)
        guard rc == 0 else {
            Unmanaged<Job>.fromOpaque(job).release()
            let early = background()
            return (early, body())
        }
        let result = body()
        pthread_join(thread, nil)
        return (box.value!, result)
    }

    /// A result written by one thread and read by another after pthread_join(3), which orders the two.
    private final class Box<T>: @unchecked Sendable {
        var value: T?
    }
}
