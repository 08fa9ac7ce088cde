import ShadowCore
import Synchronization
import Testing
import NIOPosix
@testable import ShadowOperations

/// Group commit: requests waiting while a commit runs go into the next one together.
@Suite struct GroupCommitTests {
    static func entry(_ n: UInt32, mac: UInt64) -> Reservation {
        Reservation(ipv4: IPv4Address(0xC633_6400 + n), ipv6NA: IPv6Address(high: 1, low: UInt64(n)),
                    ipv6PD: IPv6Prefix(address: IPv6Address(high: 2 + UInt64(n) << 16, low: 0), prefixLength: 48),
                    mac: MACAddress(value: mac))
    }

    @Test func twoRequestsInOneGroupOneInvalidTheOtherApplies() async {
        let store = Mutex(ReservationStore([Self.entry(1, mac: 1)]))
        let committed = Mutex<[Int]>([])
        let gate = Mutex(true)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let commit = GroupCommit<[ReservationChange], Result<ChangeCounts, LoadError>>(on: group.next()) { requests in
            committed.withLock { $0.append(requests.count) }
            // The first commit is slow, so that the next two requests wait together.
            while gate.withLock({ $0 }) && committed.withLock({ $0.count }) == 1 { try? await Task.sleep(for: .milliseconds(5)) }
            return store.withLock { s in requests.map { s.apply($0) } }
        }
        async let first = commit.submit([ReservationChange(.add(Self.entry(2, mac: 2)), source: "first")])
        try? await Task.sleep(for: .milliseconds(50))
        async let good = commit.submit([ReservationChange(.add(Self.entry(3, mac: 3)), source: "good")])
        async let bad = commit.submit([ReservationChange(.add(Self.entry(4, mac: 1)), source: "bad")])
        try? await Task.sleep(for: .milliseconds(50))
        gate.withLock { $0 = false }
        let answers = await (first, good, bad)
        #expect((try? answers.0.get()) == ChangeCounts(added: 1))
        #expect((try? answers.1.get()) == ChangeCounts(added: 1))
        guard case .failure(let e) = answers.2 else { Issue.record("bad request accepted"); return }
        #expect(e.errors.lines == ["bad.mac: 00-00-00-00-00-01 already used by the reservation with ipv4 198.51.100.1"])
        #expect(committed.withLock { $0 } == [1, 2])
        #expect(store.withLock { $0.count } == 3)
        try? await group.shutdownGracefully()
    }

    /// After a long commit, the requests it answered come back as a burst that takes longer to
    /// arrive than `linger` (thousands of clients reconnecting): the next commit waits for a
    /// quarter of the last commit's duration, so the burst lands in one commit instead of two.
    @Test func theBurstAfterALongCommitLandsInOneCommit() async {
        let committed = Mutex<[Int]>([])
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let commit = GroupCommit<Int, Int>(quiet: .milliseconds(40), linger: .milliseconds(50), on: loop) { requests in
            let n = committed.withLock { $0.append(requests.count); return $0.count }
            if n == 1 { await GroupCommit<Int, Int>.pause(.milliseconds(1200), on: loop) }
            return requests
        }
        async let first = commit.submit(0)
        try? await Task.sleep(for: .milliseconds(20))
        // While the first commit runs: nothing. Right after it: 30 requests, 5 ms apart (150 ms).
        _ = await first
        await withTaskGroup(of: Int.self) { tasks in
            for i in 1...30 {
                tasks.addTask { await commit.submit(i) }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        #expect(committed.withLock { $0 } == [1, 30])
        try? await group.shutdownGracefully()
    }
}
