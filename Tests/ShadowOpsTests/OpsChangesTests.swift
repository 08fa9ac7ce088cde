import NIOPosix
import protocol NIOCore.EventLoop
import ShadowCore
import ShadowOperations
import Synchronization
import Testing
@testable import ShadowOps

/// The group commit in ops against a fake master: conditional commits, `stale` and reapplying.
@Suite struct OpsChangesTests {
    static func entry(_ n: UInt32, mac: UInt64) -> Reservation {
        Reservation(ipv4: IPv4Address(0xC633_6400 + n), ipv6NA: IPv6Address(high: 1, low: UInt64(n)),
                    ipv6PD: IPv6Prefix(address: IPv6Address(high: 2 + UInt64(n) << 16, low: 0), prefixLength: 48),
                    mac: MACAddress(value: mac))
    }

    /// The master's side: the live generation and set; a commit on another base is stale, one on
    /// the live generation applies the resolved changes as the real master does.
    final class FakeMaster: Sendable {
        let state: Mutex<(snapshot: ReservationSnapshot, bases: [UInt64])>
        init(_ reservations: [Reservation], generation: UInt64) {
            state = Mutex((ReservationSnapshot(reservations: reservations, generation: generation), []))
        }
        /// A reload or replace elsewhere: a new generation.
        func install(_ reservations: [Reservation]) {
            state.withLock { $0.snapshot = ReservationSnapshot(reservations: reservations,
                                                               generation: $0.snapshot.generation + 1) }
        }
        func commit(_ changes: [ResolvedChange], base: UInt64) -> OpsChanges.Outcome {
            state.withLock { s in
                s.bases.append(base)
                guard base == s.snapshot.generation else { return .stale }
                var store = ReservationStore(s.snapshot.allReservations)
                guard case .success = store.apply(resolved: changes) else { return .failed("refused") }
                s.snapshot = ReservationSnapshot(reservations: store.reservations, generation: base + 1)
                return .done
            }
        }
        var snapshot: ReservationSnapshot { state.withLock { $0.snapshot } }
        var bases: [UInt64] { state.withLock { $0.bases } }
    }

    static func changes(_ master: FakeMaster, on loop: any EventLoop,
                        beforeCommit: @escaping @Sendable () -> Void = {}) -> OpsChanges {
        OpsChanges(eventLoop: loop, quiet: .zero, live: { master.snapshot }, digest: { 0xD16E57 + $0 },
                   send: { changes, base in beforeCommit(); return master.commit(changes, base: base) })
    }

    @Test func aWorkingCopyBehindTheLiveSnapshotIsRebuiltFromIt() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let master = FakeMaster([Self.entry(1, mac: 1)], generation: 1)
        let changes = Self.changes(master, on: group.next())
        // First change: builds the working copy from generation 1, commits generation 2.
        let first = await changes.submit([ReservationChange(.add(Self.entry(2, mac: 2)), source: "first")])
        #expect((try? first.get())?.snapshotGeneration == 2)
        // A reload elsewhere makes generation 3 live with an entry the working copy lacks.
        master.install([Self.entry(1, mac: 1), Self.entry(2, mac: 2), Self.entry(5, mac: 5)])
        let second = await changes.submit([ReservationChange(.add(Self.entry(3, mac: 3)), source: "second")])
        #expect((try? second.get()) == ChangeResult(counts: ChangeCounts(added: 1), reservationCount: 4,
                                                    snapshotGeneration: 4, snapshotDigest: 0xD16E57 + 4))
        #expect(Set(master.snapshot.allReservations.compactMap(\.mac?.value)) == [1, 2, 3, 5])
        #expect(master.bases == [1, 3])  // rebuilt before committing: no stale round trip
        try await group.shutdownGracefully()
    }

    @Test func staleBetweenApplyAndCommitIsReappliedAndOthersStayIndependent() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let master = FakeMaster([Self.entry(1, mac: 1)], generation: 7)
        let raced = Atomic<Bool>(false)
        // Once, right before the commit reaches the master, another generation becomes live.
        let changes = Self.changes(master, on: group.next()) {
            if !raced.exchange(true, ordering: .relaxed) {
                master.install([Self.entry(1, mac: 1), Self.entry(9, mac: 9)])
            }
        }
        let good = await changes.submit([ReservationChange(.add(Self.entry(2, mac: 2)), source: "good")])
        #expect((try? good.get())?.snapshotGeneration == 9)
        #expect(master.bases == [7, 8])
        #expect(Set(master.snapshot.allReservations.compactMap(\.mac?.value)) == [1, 2, 9])
        // A refused request is answered with its errors and changes nothing.
        let bad = await changes.submit([ReservationChange(.add(Self.entry(4, mac: 9)), source: "bad")])
        guard case .failure(let f) = bad else { Issue.record("accepted"); return }
        #expect(f.errors.count == 1 && f.errors[0].hasPrefix("bad.mac: 00-00-00-00-00-09 already used"))
        #expect(master.bases == [7, 8])
        try await group.shutdownGracefully()
    }

    /// A snapshot made live by a start, reload or replace gets its working copy built in the
    /// background, and the first commit on it uses that copy; the snapshot of this process's own
    /// commit keeps the commit's copy.
    @Test func aSnapshotMadeLiveElsewhereIsPreparedForTheNextCommit() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let master = FakeMaster([Self.entry(1, mac: 1)], generation: 1)
        let changes = Self.changes(master, on: group.next())
        changes.snapshotBecameLive(master.snapshot)  // start
        let first = await changes.submit([ReservationChange(.add(Self.entry(2, mac: 2)), source: "first")])
        #expect((try? first.get())?.snapshotGeneration == 2)
        #expect(changes.lastCopy.withLock { $0 } == .prepared)
        changes.snapshotBecameLive(master.snapshot)  // the commit's own generation 2
        _ = await changes.submit([ReservationChange(.add(Self.entry(3, mac: 3)), source: "second")])
        #expect(changes.lastCopy.withLock { $0 } == .kept)
        // A reload elsewhere: generation 4, without entry 3, with entry 5.
        master.install([Self.entry(1, mac: 1), Self.entry(2, mac: 2), Self.entry(5, mac: 5)])
        changes.snapshotBecameLive(master.snapshot)
        let third = await changes.submit([ReservationChange(.add(Self.entry(6, mac: 6)), source: "third")])
        #expect(changes.lastCopy.withLock { $0 } == .prepared)
        #expect((try? third.get()) == ChangeResult(counts: ChangeCounts(added: 1), reservationCount: 4,
                                                   snapshotGeneration: 5, snapshotDigest: 0xD16E57 + 5))
        #expect(Set(master.snapshot.allReservations.compactMap(\.mac?.value)) == [1, 2, 5, 6])
        #expect(master.bases == [1, 2, 4])
        try await group.shutdownGracefully()
    }

    @Test func alwaysStaleGivesUpAfterThreeTries() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let master = FakeMaster([], generation: 1)
        let changes = Self.changes(master, on: group.next()) { master.install([]) }
        let answer = await changes.submit([ReservationChange(.add(Self.entry(2, mac: 2)), source: "x")])
        guard case .failure(let f) = answer else { Issue.record("accepted"); return }
        #expect(f.error.hasPrefix("Failed to apply changes: the reservations were reloaded three times"))
        #expect(master.bases.count == 3)
        try await group.shutdownGracefully()
    }
}
