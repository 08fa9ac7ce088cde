import ShadowCore

/// Why a snapshot was refused.
public enum SnapshotError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The byte count differs from the announced one.
    case lengthMismatch(expected: UInt64, actual: Int)
    /// The digest differs from the announced one.
    case digestMismatch(expected: UInt64, actual: UInt64)
    /// The count in the snapshot differs from the announced one.
    case countMismatch(expected: UInt32, actual: UInt32)
    /// The image itself is malformed, or reservations cannot be laid out.
    case format(SnapshotFormatError)

    public var description: String {
        switch self {
        case .lengthMismatch(let e, let a): "snapshot is \(a) bytes, \(e) announced"
        case .digestMismatch(let e, let a): "snapshot digest \(a) does not match the announced \(e)"
        case .countMismatch(let e, let a): "snapshot holds \(a) reservations, \(e) announced"
        case .format(let error): error.description
        }
    }
}

/// Reservation snapshots between the master and the workers: ShadowCore's flat image
/// (``ShadowCore/SnapshotLayout``, docs/ipc.md "Snapshot format") plus the announcement that
/// travels over the channel.
///
/// The master computes ``encodedByteCount(of:)``, creates a memfd of that size, encodes straight
/// into its mapping with ``encode(_:into:)``, seals it and announces it with
/// ``announcement(for:snapshotGeneration:reservationCount:)``. The worker maps it read-only and
/// calls ``open(_:announcement:owner:)``, which checks length and digest, then the image's
/// structure, and answers from the mapping in place.
public enum SnapshotCodec {
    /// Exact number of bytes ``encode(_:into:)`` writes; throws if a field exceeds the format's limits.
    public static func encodedByteCount(of reservations: [Reservation]) throws(SnapshotError) -> Int {
        do { return try ReservationSnapshot.encodedByteCount(of: reservations) } catch { throw .format(error) }
    }

    /// Encodes into `buffer`, which must be exactly ``encodedByteCount(of:)`` bytes; large images
    /// are written in parts on `work` (the same bytes).
    public static func encode(_ reservations: [Reservation], into buffer: UnsafeMutableRawBufferPointer,
                              work: ParallelWork = .serial) {
        ReservationSnapshot.encode(reservations, into: buffer, work: work)
    }

    /// Plans the image of `reservations` (its size is the plan's `byteCount`), for
    /// ``encode(_:plan:into:work:)``.
    public static func plan(_ reservations: [Reservation]) throws(SnapshotError) -> ReservationSnapshot.EncodingPlan {
        do { return try ReservationSnapshot.encodingPlan(for: reservations) } catch { throw .format(error) }
    }

    /// Encodes into `buffer` of exactly `plan.byteCount` bytes, without planning again.
    public static func encode(_ reservations: [Reservation], plan: ReservationSnapshot.EncodingPlan,
                              into buffer: UnsafeMutableRawBufferPointer, work: ParallelWork = .serial) {
        ReservationSnapshot.encode(reservations, plan: plan, into: buffer, work: work)
    }

    /// Encodes into a new array.
    public static func encode(_ reservations: [Reservation]) throws(SnapshotError) -> [UInt8] {
        let size = try encodedByteCount(of: reservations)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            encode(reservations, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = size
        }
    }

    /// The announcement for encoded `bytes`.
    public static func announcement(
        for bytes: UnsafeRawBufferPointer, snapshotGeneration: UInt64, reservationCount: Int
    ) -> SnapshotAnnouncement {
        SnapshotAnnouncement(snapshotGeneration: snapshotGeneration, byteCount: UInt64(bytes.count),
                             digest: SnapshotDigest.compute(bytes), reservationCount: UInt32(reservationCount))
    }

    /// Checks `bytes` against `announcement` (length, then digest), then the image's structure and
    /// count, and returns a snapshot that reads `bytes` in place; `owner` must keep them alive and
    /// unchanged (the sealed file's mapping). Any defect rejects the whole snapshot, so the caller
    /// keeps the old one.
    public static func open(
        _ bytes: UnsafeRawBufferPointer, announcement: SnapshotAnnouncement, owner: AnyObject?
    ) throws(SnapshotError) -> ReservationSnapshot {
        guard UInt64(bytes.count) == announcement.byteCount else {
            throw .lengthMismatch(expected: announcement.byteCount, actual: bytes.count)
        }
        let digest = SnapshotDigest.compute(bytes)
        guard digest == announcement.digest else { throw .digestMismatch(expected: announcement.digest, actual: digest) }
        let snapshot: ReservationSnapshot
        do {
            snapshot = try ReservationSnapshot(validating: bytes, owner: owner, generation: announcement.snapshotGeneration)
        } catch { throw .format(error) }
        guard snapshot.count == Int(announcement.reservationCount) else {
            throw .countMismatch(expected: announcement.reservationCount, actual: UInt32(snapshot.count))
        }
        return snapshot
    }

    /// ``open(_:announcement:owner:)``, then every reservation made into values (tests, tools).
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, announcement: SnapshotAnnouncement
    ) throws(SnapshotError) -> [Reservation] {
        try open(bytes, announcement: announcement, owner: nil).allReservations
    }

    /// Decodes an image without an announcement (no digest check).
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(SnapshotError) -> [Reservation] {
        do {
            return try ReservationSnapshot(validating: bytes, owner: nil, generation: 0).allReservations
        } catch { throw .format(error) }
    }
}
