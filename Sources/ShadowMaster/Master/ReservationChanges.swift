import IPC
import ShadowCore
import ShadowSystem
import SystemPackage

/// The master's side of per-reservation changes (docs/management.md, "Group commit"; docs/ipc.md,
/// `changes-request`). Ops applies the requests to its own working copy and sends each commit's
/// changes, resolved (``ResolvedChange``); the master keeps a working copy too — a
/// ``ReservationStore`` built from the live snapshot in the background as soon as it is live
/// (``prepare(_:)``; at the first commit if not) and kept while each commit makes the next
/// generation — and applies them to it, so that a commit costs the changes,
/// one copy of the file (unchanged entries' text is copied from the previous commit's) and one
/// snapshot encoding, not a decode and re-validation of the whole set.
///
/// Nothing ops sends is trusted: the encoded changes are checked (seals, size, digest, exact
/// decoding), every record is validated like a loaded entry, and the changes must apply to the
/// live set (no key or address used twice, every entry named exists). Anything else is something
/// a correct ops never sends: ``Outcome/refused(_:)``.
final class ReservationChanges {
    /// What a commit came to.
    enum Outcome {
        /// Applied, and `reservations.json` written: the next generation's snapshot, to publish.
        /// `notDurable`: the fsync of the file's directory failed after the rename (the file is in
        /// place; a power loss could bring the old one back).
        case committed(SnapshotPublisher.Prepared, count: Int, copy: CopySource, phases: [(String, UInt64)],
                       notDurable: Errno?)
        /// `baseGeneration` is not the live generation: nothing done.
        case stale
        /// Nothing of it is live or on disk: why.
        case failed(String)
        /// Ops sent something a correct ops never sends (it is killed): why.
        case refused(String)
    }

    let path: String
    let subnets: [SubnetV4]
    /// The working copy and the generation it equals; nil until the first commit, or after
    /// something else made a generation live.
    private var working: (store: ReservationStore, generation: UInt64)?
    /// The working copy for a generation that became live by a start, reload or replace, built
    /// (with every entry's text formatted) on a background thread by ``prepare(_:)``.
    private let prepared = BackgroundBuild<ReservationStore>()

    /// Where a commit's working copy came from (logged as `copy`).
    enum CopySource: String {
        /// The previous commit's.
        case kept
        /// Built in the background when the generation became live (``prepare(_:)``).
        case prepared
        /// Built at the commit, from the live snapshot.
        case built
    }

    init(path: String, subnets: [SubnetV4]) {
        self.path = path
        self.subnets = subnets
    }

    /// Drops the working copy (a reload or replace made another set live: it would be rebuilt).
    func forget() {
        working = nil
        prepared.cancel()
    }

    /// Takes `store` as the working copy of `generation` (a `replace` built it with its file).
    func adopt(_ store: ReservationStore, generation: UInt64) {
        prepared.cancel()
        working = (store, generation)
    }

    /// Drops the working copy and builds one for `live` on a background thread — the store and
    /// the text of every entry — so that the first commit on top of it costs what later ones do.
    /// The caller's thread goes on; a commit that needs it before it is ready waits for the rest.
    func prepare(_ live: ReservationSnapshot) {
        working = nil
        prepared.start(generation: live.generation) {
            var store = ReservationStore(live.allReservations)
            _ = store.persistedBytes()
            return store
        }
    }

    /// Commits `request`, whose encoded changes are in `descriptor`, on top of `live` (generation
    /// `generation`): applies them, writes the file atomically (keeping its owner and mode) and
    /// returns the next snapshot for the caller to publish as `generation + 1`.
    func commit(_ request: ChangesRequest, descriptor: FileDescriptor?, live: ReservationSnapshot,
                generation: UInt64) -> Outcome {
        guard request.baseGeneration == generation else { return .stale }
        let started = Clocks.monotonicMilliseconds()
        let changes: [ResolvedChange]
        switch decode(request, descriptor: descriptor) {
        case .success(let c): changes = c
        case .failure(let why): return .refused(why.description)
        }
        var store: ReservationStore
        let copy: CopySource
        if let w = working, w.generation == generation {
            (store, copy) = (w.store, .kept)
        } else if let p = prepared.take(generation: generation) {
            (store, copy) = (p, .prepared)
        } else {
            (store, copy) = (ReservationStore(live.allReservations), .built)
        }
        working = nil
        let built = Clocks.monotonicMilliseconds()
        if case .failure(let error) = store.apply(resolved: changes) {
            working = (store, generation)  // all or nothing: unchanged
            return .refused("changes that do not apply to the live set: \(error.errors.lines.first ?? "")")
        }
        let applied = Clocks.monotonicMilliseconds()
        // The snapshot is encoded on another thread while the file's bytes are put together
        // (mostly copied from the previous commit's) and written under a temporary name; the file
        // replaces reservations.json only when both succeeded.
        let all = store.reservations
        let next = generation + 1
        let (encoded, staged) = BackgroundThread.alongside({
            Result { try SnapshotPublisher.prepare(all, generation: next) }
        }) {
            let bytes = store.persistedBytes()
            return bytes.withUnsafeBytes { raw -> Result<AtomicFile.Staged, Errno> in
                do throws(Errno) {
                    return .success(try AtomicFile.stage(raw, for: path, permissions: 0o644, keepingOwnership: true))
                } catch {
                    return .failure(error)
                }
            }
        }
        let written = Clocks.monotonicMilliseconds()
        let prepared: SnapshotPublisher.Prepared
        var notDurable: Errno?
        switch (encoded, staged) {
        case (.success(let p), .success(let file)):
            do {
                notDurable = try file.commit()
            } catch {
                p.discard()
                return .failed("Failed to write reservations: \(error)")
            }
            prepared = p
        case (.failure(let error), let file):
            if case .success(let file) = file { file.discard() }
            return .failed("Failed to publish reservations: \(error)")
        case (.success(let p), .failure(let error)):
            p.discard()
            return .failed("Failed to write reservations: \(error)")
        }
        working = (store, next)
        return .committed(prepared, count: all.count, copy: copy, phases: [
            ("build_ms", built - started), ("apply_ms", applied - built),
            ("write_ms", written - applied), ("rename_ms", Clocks.monotonicMilliseconds() - written)], notDurable: notDurable)
    }

    /// Why ops's changes were refused.
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    /// The changes in `descriptor`, checked: a sealed memfd of exactly `byteCount` bytes with
    /// that digest, exactly `changeCount` changes (``ChangeSetCodec``), every record valid on
    /// its own (the loader's rules for one entry; uniqueness is the store's to check).
    func decode(_ r: ChangesRequest, descriptor: FileDescriptor?) -> Result<[ResolvedChange], Refusal> {
        guard let descriptor else { return .failure(Refusal(description: "no descriptor")) }
        guard r.byteCount <= UInt64(Int.max), r.changeCount <= UInt32(Int32.max) else {
            return .failure(Refusal(description: "size \(r.byteCount)"))
        }
        let changes: [ResolvedChange]
        do {
            let mapping = try ReadOnlyMapping(descriptor: descriptor, announcedByteCount: r.byteCount)
            guard SnapshotDigest.compute(mapping.bytes) == r.digest else {
                return .failure(Refusal(description: "digest mismatch"))
            }
            changes = try ChangeSetCodec.decode(mapping.bytes, count: Int(r.changeCount))
        } catch {
            return .failure(Refusal(description: "unusable changes: \(error)"))
        }
        let records = changes.compactMap { change -> Reservation? in
            switch change {
            case .add(let r), .replace(_, let r): r
            case .delete: nil
            }
        }
        do {
            _ = try ReservationLoader.validate(records, subnets: subnets, source: "changes", duplicates: false)
        } catch {
            return .failure(Refusal(description: "reservations that do not validate: \(error.errors.lines.first ?? "")"))
        }
        return .success(changes)
    }
}
