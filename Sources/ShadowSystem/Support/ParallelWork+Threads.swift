import CShim
import Glibc
import ShadowCore

extension ParallelWork {
    /// Jobs on POSIX threads, as many at once as this process has CPUs (sched_getaffinity(2),
    /// read once; at most 8): job 0 on the caller's thread, each other one on a thread of its own,
    /// all joined before ``run(_:_:)`` returns. A thread that cannot be started leaves its job to
    /// the caller. Threads inherit the caller's credentials and seccomp filter.
    public static let threads = onThreads(width: min(8, availableProcessors()))

    /// Jobs on POSIX threads, `width` of them worth running at once.
    public static func onThreads(width: Int) -> ParallelWork {
        ParallelWork(width: width, run: runOnThreads)
    }

    private static func runOnThreads(_ count: Int, _ job: @escaping @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        var started: [pthread_t] = []
        for i in 1..<count {
            let box = Unmanaged.passRetained(Job { job(i) }).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { argument in
                guard let argument else { return nil }
                Unmanaged<Job>.fromOpaque(argument).takeRetainedValue().body()
                return nil
            }, box)
            if rc == 0 {
                started.append(thread)
            } else {
                Unmanaged<Job>.fromOpaque(box).release()
                job(i)
            }
        }
        job(0)
        for thread in started { pthread_join(thread, nil) }
    }

    private final class Job {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// CPUs this process may run on.
    static func availableProcessors() -> Int { Int(cshim_available_cpus()) }
}
