import IPC
import ShadowCore
import ShadowSystem
import SystemPackage

/// The current reservation snapshot as a sealed memory file, ready to hand to any worker, and
/// the master's own read-only view of it (for `lookup` and `status`). Encoded once per load; a
/// restarted worker gets the same file.
final class SnapshotPublisher {
    private(set) var announcement: SnapshotAnnouncement?
    private(set) var descriptor: FileDescriptor?
    /// The published reservations, read in place from the sealed file (empty before the first).
    private(set) var snapshot = ReservationSnapshot.empty

    /// A snapshot encoded into its sealed file, not yet published. Made on any thread
    /// (``prepare(_:generation:)``), published on the master's (``adopt(_:)``).
    struct Prepared: Sendable {
        let descriptor: FileDescriptor
        let announcement: SnapshotAnnouncement
        let view: ReservationSnapshot

        /// Closes the file when it is not going to be published.
        func discard() { try? descriptor.close() }
    }

    /// Encodes `reservations` as generation `generation` into a new sealed file, and maps it.
    static func prepare(_ reservations: [Reservation], generation: UInt64) throws -> Prepared {
        let plan = try SnapshotCodec.plan(reservations)
        let size = plan.byteCount
        var made: SnapshotAnnouncement?
        let fd = try SealedMemoryFile.create(name: "shadowdhcp-snapshot-\(generation)", byteCount: size) { buffer in
            SnapshotCodec.encode(reservations, plan: plan, into: buffer, work: .threads)
            made = SnapshotCodec.announcement(for: UnsafeRawBufferPointer(buffer), snapshotGeneration: generation,
                                              reservationCount: reservations.count)
        }
        do {
            let mapping = try ReadOnlyMapping(descriptor: fd, expectedByteCount: size)
            // Checked in full by every worker that opens it; here only its header and sizes.
            let view = try ReservationSnapshot(encodedHere: mapping.bytes, owner: mapping, generation: generation)
            return Prepared(descriptor: fd, announcement: made!, view: view)
        } catch {
            try? fd.close()
            throw error
        }
    }

    /// Encodes `reservations` as generation `generation` and replaces the current file.
    func publish(_ reservations: [Reservation], generation: UInt64) throws {
        adopt(try SnapshotPublisher.prepare(reservations, generation: generation))
    }

    /// Makes `prepared` the current file and view.
    func adopt(_ prepared: Prepared) {
        if let old = descriptor { try? old.close() }
        descriptor = prepared.descriptor
        announcement = prepared.announcement
        snapshot = prepared.view
    }

    deinit { if let descriptor { try? descriptor.close() } }
}
