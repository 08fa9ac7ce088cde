import Logging
import ShadowCore
import ShadowOperations
import ShadowSystem
import Synchronization

/// Per-entry reservation changes, committed in groups (docs/management.md, *Per-reservation
/// changes*). The master owns the set; this type keeps the working copy changes are applied to —
/// a ``ReservationStore`` built from the live snapshot at the first change — and runs each
/// commit off the poll thread:
///
/// 1. take every request waiting (``GroupCommit``), read the live generation;
/// 2. apply the requests in arrival order, each all or nothing (a refused one is answered with
///    its errors and leaves the others alone);
/// 3. encode the new snapshot and, meanwhile, the new `reservations.json`; write the file
///    atomically (keeping its owner and mode);
/// 4. on the poll thread, make the snapshot live and send it to the workers — only if no reload
///    or replace made another generation live meanwhile, else redo the group on top of that;
/// 5. answer every request.
///
/// Commits, `replace` and management `reload` are serialised by ``writes``, so only one of them
/// writes `reservations.json` at a time.
final class ReservationChanges: Sendable {
    typealias Answer = Result<ChangeResult, ManagementFailure>

    let mailbox: MasterMailbox
    let reservationsPath: String
    /// Serialises everything that writes `reservations.json` and publishes a new set.
    let writes = SerialGate()
    /// The working copy and the generation it equals (nil until the first change, or after a
    /// failed commit left it ahead of what is live).
    private let working = Mutex<(store: ReservationStore, generation: UInt64)?>(nil)
    private let logger = Logger(label: "shadowdhcp.changes")
    private let group = Mutex<GroupCommit<[ReservationChange], Answer>?>(nil)

    init(mailbox: MasterMailbox, reservationsPath: String) {
        self.mailbox = mailbox
        self.reservationsPath = reservationsPath
        group.withLock { $0 = GroupCommit { [unowned self] in await self.commit($0) } }
    }

    /// Queues one request's changes for the next commit and returns its answer.
    func submit(_ changes: [ReservationChange]) async -> Answer {
        let group = group.withLock { $0! }
        return await group.submit(changes)
    }

    /// Commits one group (``GroupCommit`` calls it with every waiting request).
    func commit(_ requests: [[ReservationChange]]) async -> [Answer] {
        await writes.run {
            for _ in 0..<3 {
                if let answers = await attempt(requests) { return answers }
            }
            let failure = ManagementFailure(error: "Failed to apply changes: the reservations were reloaded three times meanwhile; try again")
            return requests.map { _ in .failure(failure) }
        }
    }

    /// One try; nil when another generation became live before this one could (then nothing of
    /// it is live, and the caller tries again on top of the new one).
    private func attempt(_ requests: [[ReservationChange]]) async -> [Answer]? {
        let started = Clocks.monotonicMilliseconds()
        let (base, snapshot) = await mailbox.perform { m in (m.snapshotGeneration, m.snapshot) }
        var store = working.withLock { current -> ReservationStore? in
            defer { current = nil }
            return current?.generation == base ? current?.store : nil
        } ?? ReservationStore(snapshot.allReservations)
        var outcomes: [Result<ChangeCounts, ManagementFailure>] = []
        for request in requests {
            outcomes.append(store.apply(request).mapError { error in
                let lines = error.errors.lines
                return ManagementFailure(error: "Invalid request: " + lines.joined(separator: "\n"), errors: lines)
            })
        }
        let total = outcomes.reduce(ChangeCounts()) { sum, o in sum + ((try? o.get()) ?? ChangeCounts()) }
        guard outcomes.contains(where: { (try? $0.get()) != nil }) else {
            // Nothing applied: the live set stands, no new generation.
            let digest = await mailbox.perform { m in m.publisher.announcement?.digest ?? 0 }
            working.withLock { $0 = (store, base) }
            return answers(outcomes, count: store.count, generation: base, digest: digest)
        }
        let applied = Clocks.monotonicMilliseconds()
        let all = store.reservations
        // The snapshot is encoded while the file's bytes are put together (mostly copied from the
        // previous commit's: only changed entries are formatted).
        async let encoding = SnapshotPublisher.prepare(all, generation: base + 1)
        let bytes = store.persistedBytes()
        let prepared: SnapshotPublisher.Prepared
        do {
            prepared = try await encoding
        } catch {
            return fail(outcomes, "Failed to publish reservations: \(error)")
        }
        let encoded = Clocks.monotonicMilliseconds()
        let written: UInt64
        do {
            try AtomicFile.write(bytes, to: reservationsPath, permissions: 0o644, keepingOwnership: true)
            written = Clocks.monotonicMilliseconds()
        } catch {
            prepared.discard()
            return fail(outcomes, "Failed to write reservations: \(error)")
        }
        let adopted = await mailbox.perform { m -> Bool in
            guard m.snapshotGeneration == base else { return false }
            m.adopt(prepared)
            return true
        }
        guard adopted else {
            prepared.discard()
            return nil
        }
        working.withLock { $0 = (store, base + 1) }
        logger.info("reservation changes committed", metadata: [
            "requests": "\(requests.count)", "added": "\(total.added)", "updated": "\(total.updated)",
            "deleted": "\(total.deleted)", "count": "\(all.count)", "snapshot.generation": "\(base + 1)",
            "apply_ms": "\(applied - started)", "encode_ms": "\(encoded - applied)", "write_ms": "\(written - encoded)",
            "publish_ms": "\(Clocks.monotonicMilliseconds() - written)"])
        return answers(outcomes, count: all.count, generation: base + 1, digest: prepared.announcement.digest)
    }

    private func answers(_ outcomes: [Result<ChangeCounts, ManagementFailure>], count: Int, generation: UInt64,
                         digest: UInt64) -> [Answer] {
        outcomes.map { o in
            o.map { ChangeResult(counts: $0, reservationCount: count, snapshotGeneration: generation, snapshotDigest: digest) }
        }
    }

    /// The group could not be made live: requests that were valid get `text`; the working copy,
    /// now ahead of what is live, is dropped.
    private func fail(_ outcomes: [Result<ChangeCounts, ManagementFailure>], _ text: String) -> [Answer] {
        logger.error("\(text)")
        return outcomes.map { o in
            switch o {
            case .success: .failure(ManagementFailure(error: text))
            case .failure(let f): .failure(f)
            }
        }
    }
}
