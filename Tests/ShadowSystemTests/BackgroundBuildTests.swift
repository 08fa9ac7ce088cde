import Glibc
import ShadowSystem
import Synchronization
import Testing

/// A value prepared on a background thread for one generation and taken by whoever needs it.
@Suite struct BackgroundBuildTests {
    /// A gate the build waits on, so that a test can take while the build still runs.
    final class Gate: Sendable {
        let open = Atomic<Bool>(false)
        func wait() { while !open.load(ordering: .acquiring) { pause100us() } }
    }

    @Test func takeWaitsForTheRunningBuildAndGetsItOnce() throws {
        let build = BackgroundBuild<[Int]>()
        let gate = Gate()
        let builds = Atomic<Int>(0)
        #expect(build.start(generation: 3) { gate.wait(); builds.add(1, ordering: .relaxed); return [1, 2, 3] })
        #expect(build.isPrepared(generation: 3) && !build.isPrepared(generation: 2))
        #expect(build.take(generation: 2) == nil)  // not asked for: no waiting
        gate.open.store(true, ordering: .releasing)
        #expect(build.take(generation: 3) == [1, 2, 3])
        #expect(build.take(generation: 3) == nil)  // taken once
        #expect(builds.load(ordering: .relaxed) == 1)
    }

    @Test func takeIfBuiltNeverWaits() throws {
        let build = BackgroundBuild<[Int]>()
        let gate = Gate()
        #expect(build.start(generation: 4) { gate.wait(); return [4] })
        #expect(build.takeIfBuilt(generation: 4) == nil)  // still running: nil at once
        #expect(build.isPrepared(generation: 4))  // and it goes on
        gate.open.store(true, ordering: .releasing)
        while build.takeIfBuilt(generation: 4) == nil { pause100us() }
        #expect(build.takeIfBuilt(generation: 4) == nil && build.take(generation: 4) == nil)  // taken once
    }

    @Test func aLaterGenerationReplacesTheEarlierOne() async throws {
        let build = BackgroundBuild<String>()
        let gate = Gate()
        build.start(generation: 1) { gate.wait(); return "one" }
        build.start(generation: 2) { "two" }  // queued behind the running build
        build.start(generation: 3) { "three" }  // replaces the queued one
        gate.open.store(true, ordering: .releasing)
        #expect(await build.takeSuspending(generation: 3) == "three")
        #expect(await build.takeSuspending(generation: 1) == nil)
        #expect(build.take(generation: 2) == nil)
    }

    @Test func cancelDropsWhatWasBuiltAndWakesWaiters() async throws {
        let build = BackgroundBuild<Int>()
        let gate = Gate()
        build.start(generation: 5) { gate.wait(); return 5 }
        async let waiting = build.takeSuspending(generation: 5)
        try await Task.sleep(for: .milliseconds(20))  // the waiter suspends (or it comes after the cancel: nil too)
        build.cancel()
        #expect(await waiting == nil)
        gate.open.store(true, ordering: .releasing)
        #expect(build.take(generation: 5) == nil)
        // Asked for again, it is built again.
        build.start(generation: 5) { 55 }
        #expect(build.take(generation: 5) == 55)
    }
}

private func pause100us() {
    var t = timespec(tv_sec: 0, tv_nsec: 100_000)
    nanosleep(&t, nil)
}
