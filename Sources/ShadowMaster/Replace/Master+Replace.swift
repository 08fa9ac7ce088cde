import IPC
import Logging
import ShadowCore
import ShadowSystem
import SystemPackage

/// A `replace` whose set is live and whose `reservations.json` is not written yet.
struct PendingReplace {
    let requestID: UInt64
    /// The ops process that asked, and its generation then: a restarted ops gets no answer.
    let ops: WorkerSlot
    let opsGeneration: UInt64
    /// What the file is written from; emptied once the writer has it.
    var reservations: [Reservation]
    /// The set that was live before, made live again if the file cannot be written.
    let previous: ReservationSnapshot
    /// The generation the replace made live, and its reservation count.
    let generation: UInt64
    let count: Int
    let conditional: Bool
    /// When it went live, and when its write began (monotonic milliseconds; 0 before).
    let liveAt: UInt64
    var writeStartedAt: UInt64 = 0
    /// Where the time went before it went live, for the log line.
    let phases: [(String, UInt64)]
}

/// Management `replace` (docs/management.md, "`replace`"): ops's image is checked, decoded and
/// validated again, made live, and only then written to `reservations.json` — on a background
/// thread once the workers serve it. The answer waits for the file; if it cannot be written, the
/// previous set is made live again and the answer is the failure, so that what a later SIGHUP
/// reads and what is served agree again.
extension Master {
    /// Checks the image like a worker does (seals, size, digest, structure, count), decodes it,
    /// re-validates the reservations against `subnets_v4` and for duplicates and makes them live.
    /// Returns the answer when there is one now (stale, a set that cannot be encoded); nil when
    /// the set went live (the answer follows its write, ``finishPendingReplace()``) or when ops
    /// sent something a correct ops never sends (it is then killed and restarted).
    ///
    /// A conditional replace (`baseGeneration` ≠ 0, a commit of per-reservation changes) made from
    /// a generation that is no longer live changes nothing and answers `stale`.
    func replace(_ r: ReplaceRequest, descriptor: FileDescriptor?, from ops: WorkerSlot) -> MutationResult? {
        finishPendingReplace()
        if r.baseGeneration != 0 && r.baseGeneration != snapshotGeneration {
            return MutationResult(requestID: r.requestID, outcome: .stale(generation: snapshotGeneration))
        }
        let started = Clocks.monotonicMilliseconds()
        let reservations: [Reservation]
        do {
            guard let descriptor else { throw ReplaceImageError(description: "no descriptor") }
            guard r.byteCount <= UInt64(Int.max) else { throw ReplaceImageError(description: "size \(r.byteCount)") }
            let mapping = try ReadOnlyMapping(descriptor: descriptor, announcedByteCount: r.byteCount)
            let announced = SnapshotAnnouncement(snapshotGeneration: 0, byteCount: r.byteCount, digest: r.digest,
                                                 reservationCount: r.reservationCount)
            reservations = try SnapshotCodec.open(mapping.bytes, announcement: announced, owner: mapping)
                .allReservations(work: .threads)
        } catch {
            logger.error("ops process sent an unusable replace image: \(error)")
            abandon(ops, reason: "unusable replace image")
            return nil
        }
        let decoded = Clocks.monotonicMilliseconds()
        do {
            _ = try ReservationLoader.validate(reservations, subnets: settings.config.subnetsV4,
                                               source: "replace.reservations", work: .threads)
        } catch {
            logger.error("ops process sent reservations that do not validate: \(error.errors.lines.first ?? "")")
            abandon(ops, reason: "invalid replace reservations")
            return nil
        }
        let validated = Clocks.monotonicMilliseconds()
        let prepared: SnapshotPublisher.Prepared
        do {
            prepared = try SnapshotPublisher.prepare(reservations, generation: snapshotGeneration + 1)
        } catch {
            return .failure(requestID: r.requestID, error: "Failed to publish reservations: \(error)", lines: [])
        }
        let encoded = Clocks.monotonicMilliseconds()
        let previous = snapshot
        // Live now; the working copy for changes comes with the file (``ReservationWriter``).
        changes.forget()
        adopt(prepared)
        pendingReplace = PendingReplace(
            requestID: r.requestID, ops: ops, opsGeneration: ops.generation, reservations: reservations,
            previous: previous, generation: snapshotGeneration, count: reservations.count, conditional: r.baseGeneration != 0,
            liveAt: Clocks.monotonicMilliseconds(),
            phases: [("decode_ms", decoded - started), ("validate_ms", validated - decoded), ("encode_ms", encoded - validated)])
        if reservationWriter == nil { finishPendingReplace() }
        return nil
    }

    /// Starts the pending replace's write once every DHCP worker serves its set (or after
    /// ``housekeepingWait``): before that they are checking the new image on the same CPUs.
    func startPendingReplaceWrite() {
        guard let due = pendingReplaceWriteDue, var p = pendingReplace else { return }
        let now = Clocks.monotonicMilliseconds()
        guard now >= due || workersServe(p.generation) else { return }
        guard let writer = reservationWriter, writer.start(p.reservations, to: reservationsPath) else {
            return finishPendingReplace()
        }
        p.reservations = []
        p.writeStartedAt = now
        pendingReplace = p
    }

    /// When the pending replace's write must start at the latest (for the poll's timeout).
    var pendingReplaceWriteDue: UInt64? {
        guard let p = pendingReplace, p.writeStartedAt == 0 else { return nil }
        return p.liveAt + Self.housekeepingWait
    }

    /// Takes the outcome of the write the writer finished and answers the replace.
    func reservationWriteFinished() {
        guard let p = pendingReplace, p.writeStartedAt != 0, let outcome = reservationWriter?.take() else { return }
        complete(p, outcome)
    }

    /// Brings the pending replace to its end on this thread — waits for its write, or writes the
    /// file here when the write has not started — and answers it. Everything else that reads or
    /// writes the reservations (a reload, a commit of changes, another replace, the shutdown)
    /// calls this first.
    func finishPendingReplace() {
        guard let p = pendingReplace else { return }
        let outcome = p.writeStartedAt != 0
            ? reservationWriter?.finish() ?? .failed(.ioError)
            : ReservationWriter.write(p.reservations, to: reservationsPath)
        complete(p, outcome)
    }

    private func complete(_ p: PendingReplace, _ outcome: ReservationWriter.Outcome) {
        pendingReplace = nil
        let result: MutationResult
        switch outcome {
        case .written(let notDurable, let milliseconds, let workingCopy):
            changes.adopt(workingCopy, generation: p.generation)
            if let notDurable {
                logger.warning("\(reservationsPath) written, not yet durable: fsync of its directory failed: \(notDurable)")
            }
            var metadata: Logger.Metadata = ["count": "\(p.count)",
                                              "snapshot.generation": "\(p.generation)",
                                              "wait_ms": "\(p.writeStartedAt == 0 ? 0 : p.writeStartedAt - p.liveAt)",
                                              "write_ms": "\(milliseconds)"]
            for (name, ms) in p.phases { metadata[name] = "\(ms)" }
            logger.info(p.conditional ? "reservation changes committed and persisted to disk"
                            : "replaced reservations via management and persisted to disk", metadata: metadata)
            result = MutationResult(requestID: p.requestID, outcome: .done(count: UInt32(clamping: p.count)))
        case .failed(let error):
            logger.error("cannot write \(reservationsPath): \(error); the reservations live before the replace are made live again")
            rollBack(to: p.previous)
            result = .failure(requestID: p.requestID, error: "Failed to write reservations: \(error)", lines: [])
        }
        if let ops, ops === p.ops, ops.generation == p.opsGeneration { send(.mutationResult(result), to: ops) }
    }

    /// Makes `previous`'s reservations live again as the next generation.
    private func rollBack(to previous: ReservationSnapshot) {
        do {
            install(try SnapshotPublisher.prepare(previous.allReservations(work: .threads), generation: snapshotGeneration + 1))
        } catch {
            logger.critical("cannot make the previous reservations live again: \(error); the replaced set stays live and is not on disk")
        }
    }

    struct ReplaceImageError: Error, CustomStringConvertible {
        var description: String
    }
}
