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
        /// snapshot it replaces (−1 if none): ``ReservationSnapshot/sameIndexes(in:)``; with
        /// leasequery (v6), its address index.
        case built(ReservationSnapshot, sameIndexes: [Int32], addressIndex: V6AddressIndex?)
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
    /// replace `current`; with `addressIndex`, also the leasequery address index.
    func start(_ announcement: SnapshotAnnouncement, _ mapping: ReadOnlyMapping,
               replacing current: ReservationSnapshot, addressIndex: Bool = false) throws(Errno) {
        try BackgroundThread.detach { [self] in
            let outcome = SnapshotBuilder.build(announcement, mapping, replacing: current, addressIndex: addressIndex)
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
                      addressIndex: Bool = false) -> Outcome {
        do {
            let new = try SnapshotCodec.open(mapping.bytes, announcement: a, owner: mapping)
            return .built(new, sameIndexes: new.sameIndexes(in: current),
                          addressIndex: addressIndex ? V6AddressIndex(new) : nil)
        } catch {
            if case .digestMismatch = error { return .rejected(.digestMismatch, "\(error)") }
            return .rejected(.malformed, "\(error)")
        }
    }
}
