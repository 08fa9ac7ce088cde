import DHCPv4
import IPC
import ShadowCore
import ShadowSystem
import Synchronization
import SystemPackage

/// Checks an announced snapshot (digest, then every record and table slot) on a background
/// thread, and finds which of its reservations the current snapshot has too (to carry their
/// last-served times over), so the packet loop keeps answering from the current snapshot meanwhile; the loop polls
/// ``descriptor`` and swaps the result in between two batches. The snapshot is then used in place
/// in the mapping, which it keeps alive.
final class SnapshotBuilder: Sendable {
    enum Outcome: Sendable {
        /// The snapshot, and for each of its reservations the index of the same one in the
        /// snapshot it replaces (−1 if none): ``ReservationSnapshot/sameIndexes(in:)``; the DHCPv4
        /// leasequery index (v4 with leasequery), the DHCPv6 address index (v6 with leasequery).
        case built(ReservationSnapshot, sameIndexes: [Int32], leasequery: LeasequeryIndex?, addressIndex: V6AddressIndex?)
        case rejected(SnapshotRejected.Reason, String)
    }

    private let wakeup: Wakeup
    private let finished = Mutex<(SnapshotAnnouncement, Outcome)?>(nil)

    init() throws {
        wakeup = try Wakeup()
    }

    /// Readable when a build has finished.
    var descriptor: FileDescriptor { wakeup.descriptor }

    /// Starts building `announcement` from `mapping` (checked for seals and size already), to
    /// replace `current`. `leasequery`: also build the DHCPv4 leasequery index (with the bulk
    /// indexes when it says so) — only a v4 worker with `leasequery` asks; `addressIndex`: the
    /// DHCPv6 leasequery address index — only a v6 worker with `leasequery` asks.
    func start(_ announcement: SnapshotAnnouncement, _ mapping: ReadOnlyMapping,
               replacing current: ReservationSnapshot, leasequery: LeasequeryIndexing? = nil,
               addressIndex: Bool = false) throws(Errno) {
        try BackgroundThread.detach { [self] in
            let outcome = SnapshotBuilder.build(announcement, mapping, replacing: current, leasequery: leasequery,
                                                addressIndex: addressIndex)
            finished.withLock { $0 = (announcement, outcome) }
            wakeup.signal()
        }
    }

    /// The finished build, if there is one (loop thread).
    func take() -> (SnapshotAnnouncement, Outcome)? {
        wakeup.clear()
        return finished.withLock { slot in
            defer { slot = nil }
            return slot
        }
    }

    static func build(_ a: SnapshotAnnouncement, _ mapping: ReadOnlyMapping, replacing current: ReservationSnapshot,
                      leasequery: LeasequeryIndexing? = nil, addressIndex: Bool = false) -> Outcome {
        do {
            let new = try SnapshotCodec.open(mapping.bytes, announcement: a, owner: mapping)
            let index = leasequery.map { LeasequeryIndex(new, bulk: $0.bulk) }
            return .built(new, sameIndexes: new.sameIndexes(in: current), leasequery: index,
                          addressIndex: addressIndex ? V6AddressIndex(new) : nil)
        } catch {
            if case .digestMismatch = error { return .rejected(.digestMismatch, "\(error)") }
            return .rejected(.malformed, "\(error)")
        }
    }
}

/// Which leasequery indexes a snapshot build makes (docs/leasequery.md).
struct LeasequeryIndexing: Sendable {
    /// Also the bulk indexes (remote-id → reservations).
    var bulk: Bool
}
