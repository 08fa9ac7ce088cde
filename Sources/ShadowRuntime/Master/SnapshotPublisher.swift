import ShadowWorker
import IPC
import ShadowCore
import ShadowSystem
import SystemPackage

/// The current reservation snapshot as a sealed memory file, ready to hand to any worker.
/// Encoded once per load; a restarted worker gets the same file.
final class SnapshotPublisher {
    private(set) var announcement: SnapshotAnnouncement?
    private(set) var descriptor: FileDescriptor?

    /// Encodes `reservations` as generation `generation` and replaces the current file.
    func publish(_ reservations: [Reservation], generation: UInt64) throws {
        let size = try SnapshotCodec.encodedByteCount(of: reservations)
        var made: SnapshotAnnouncement?
        let fd = try SealedMemoryFile.create(name: "shadowdhcp-snapshot-\(generation)", byteCount: size) { buffer in
            SnapshotCodec.encode(reservations, into: buffer)
            made = SnapshotCodec.announcement(for: UnsafeRawBufferPointer(buffer), snapshotGeneration: generation,
                                              reservationCount: reservations.count)
        }
        if let old = descriptor { try? old.close() }
        descriptor = fd
        announcement = made
    }

    deinit { if let descriptor { try? descriptor.close() } }
}
