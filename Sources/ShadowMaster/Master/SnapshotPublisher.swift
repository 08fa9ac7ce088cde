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

    /// Encodes `reservations` as generation `generation` and replaces the current file.
    func publish(_ reservations: [Reservation], generation: UInt64) throws {
        let size = try SnapshotCodec.encodedByteCount(of: reservations)
        var made: SnapshotAnnouncement?
        let fd = try SealedMemoryFile.create(name: "shadowdhcp-snapshot-\(generation)", byteCount: size) { buffer in
            SnapshotCodec.encode(reservations, into: buffer)
            made = SnapshotCodec.announcement(for: UnsafeRawBufferPointer(buffer), snapshotGeneration: generation,
                                              reservationCount: reservations.count)
        }
        let view: ReservationSnapshot
        do {
            let mapping = try ReadOnlyMapping(descriptor: fd, expectedByteCount: size)
            view = try ReservationSnapshot(validating: mapping.bytes, owner: mapping, generation: generation)
        } catch {
            try? fd.close()
            throw error
        }
        if let old = descriptor { try? old.close() }
        descriptor = fd
        announcement = made
        snapshot = view
    }

    deinit { if let descriptor { try? descriptor.close() } }
}
