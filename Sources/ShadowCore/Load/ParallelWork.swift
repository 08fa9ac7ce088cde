/// Runs independent jobs at the same time. ShadowCore starts no threads of its own: a process
/// that may parse large inputs in parallel passes one of these (ShadowSystem's
/// `ParallelWork.threads`, built on POSIX threads); ``serial`` runs everything on the caller's
/// thread.
public struct ParallelWork: Sendable {
    /// How many jobs are worth running at once (the CPUs this process may use).
    public let width: Int
    private let runner: @Sendable (Int, @escaping @Sendable (Int) -> Void) -> Void

    /// - Parameter run: calls its job once for each of `0..<count`, in any order and on any
    ///   threads, and returns only when every call has returned.
    public init(width: Int, run: @escaping @Sendable (_ count: Int, _ job: @escaping @Sendable (Int) -> Void) -> Void) {
        self.width = max(1, width)
        runner = run
    }

    /// Everything on the caller's thread, one job after the other.
    public static let serial = ParallelWork(width: 1) { count, job in
        for i in 0..<count { job(i) }
    }

    /// Calls `job` for each of `0..<count` and returns when all have returned.
    public func run(_ count: Int, _ job: @escaping @Sendable (Int) -> Void) {
        if count <= 1 || width == 1 {
            for i in 0..<count { job(i) }
        } else {
            runner(count, job)
        }
    }
}

/// One result per job of a ``ParallelWork/run(_:_:)``: slot `i` is written by job `i` only, and
/// read after `run` returned (which orders the writes before the reads).
final class JobResults<Value>: @unchecked Sendable {
    // @unchecked: each slot is written by exactly one job, and read only after all jobs returned.
    private let slots: UnsafeMutableBufferPointer<Value>

    init(count: Int, initial: Value) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: initial)
    }

    deinit {
        _ = slots.deinitialize()
        slots.deallocate()
    }

    subscript(i: Int) -> Value {
        get { slots[i] }
        set { slots[i] = newValue }
    }
}
