import Synchronization
import Testing
import ShadowCore
@testable import ShadowSystem

@Suite("ParallelWork on threads")
struct ParallelWorkTests {
    @Test func everyJobRunsOnceAndAllAreDoneOnReturn() {
        let work = ParallelWork.threads
        #expect(work.width >= 1 && work.width <= 8)
        #expect(work.width == min(8, ParallelWork.availableProcessors()))
        for count in [0, 1, 2, 7, 32] {
            let runs = Mutex([Int](repeating: 0, count: count))
            work.run(count) { i in runs.withLock { $0[i] += 1 } }
            #expect(runs.withLock { $0 } == [Int](repeating: 1, count: count))
        }
    }

    @Test func jobsRunOnSeveralThreadsAtOnce() {
        // The job with index 0 waits until another job has started, which only another thread can do.
        let started = Atomic<Int>(0)
        ParallelWork.onThreads(width: 2).run(2) { i in
            if i == 0 {
                while started.load(ordering: .acquiring) == 0 {}
            } else {
                started.store(1, ordering: .releasing)
            }
        }
        #expect(started.load(ordering: .acquiring) == 1)
    }
}
