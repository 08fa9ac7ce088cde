import IPC
import Logging
import protocol NIOCore.EventLoop
import ShadowCore
import ShadowOperations
import ShadowSystem
import Synchronization
import SystemPackage

/// Per-entry reservation changes, committed in groups (docs/management.md, *Per-reservation
/// changes*), in the operations process. The master owns the set; ops keeps the working copy the
/// changes are applied to — a ``ReservationStore`` built from the live snapshot it has mapped —
/// and commits each group as a conditional `replace`:
///
/// 1. take every request waiting (``GroupCommit``), note the live generation;
/// 2. apply the requests in arrival order, each all or nothing (a refused one is answered with
///    its errors and undone, leaving the others alone);
/// 3. send the master what the accepted requests did — the changes themselves, resolved
///    (``ResolvedChange``: records added or replacing the entry with a given `ipv4`, entries
///    removed), never the whole set — as a `changes-request` with the changes in a sealed memfd
///    and `baseGeneration` = the generation the working copy equals; the master checks and
///    re-validates them, applies them to its own working copy, writes `reservations.json`
///    (keeping owner and mode) and makes the result live as `baseGeneration + 1`;
/// 4. when the master answers `stale` (a SIGHUP, a `reload` or a `replace` made another
///    generation live meanwhile), rebuild the working copy from the snapshot it pushed before that
///    answer and redo the group on top of it;
/// 5. answer every request.
final class OpsChanges: Sendable {
    typealias Answer = Result<ChangeResult, ManagementFailure>

    /// What the master answered a commit.
    enum Outcome: Sendable, Equatable {
        /// Live as generation base + 1.
        case done
        /// Nothing changed: the master's error.
        case failed(String)
        /// Nothing changed: another generation is live (its snapshot has reached ops).
        case stale
    }

    /// The live snapshot (nil before the first).
    let live: @Sendable () -> ReservationSnapshot?
    /// The digest of generation G, when it is the last snapshot the master pushed.
    let digest: @Sendable (UInt64) -> UInt64?
    /// Sends the changes, conditional on the base generation; the answer.
    let send: @Sendable ([ResolvedChange], UInt64) async -> Outcome
    /// The working copy and the generation it equals (nil until the first change, or after a
    /// commit that did not become live left it ahead of what is).
    private let working = Mutex<(store: ReservationStore, generation: UInt64)?>(nil)
    /// The working copy for a generation the master pushed that is not one of this process's
    /// commits (start, reload, replace), built on a background thread (``snapshotBecameLive(_:)``).
    private let prepared = BackgroundBuild<ReservationStore>()
    /// The base generation of the commit the master is reading, if one is out.
    private let inFlight = Mutex<UInt64?>(nil)
    /// Where the last commit's working copy came from (the log's `copy`; tests read it).
    let lastCopy = Mutex<CopySource?>(nil)

    /// Where a commit's working copy came from.
    enum CopySource: String, Sendable {
        /// The previous commit's.
        case kept
        /// Built in the background when the generation became live (``snapshotBecameLive(_:)``).
        case prepared
        /// Built at the commit, from the live snapshot.
        case built
    }
    private let logger = Logger(label: "shadowdhcp.changes")
    private let group = Mutex<GroupCommit<[ReservationChange], Answer>?>(nil)

    init(eventLoop: any EventLoop, quiet: Duration = .milliseconds(5), live: @escaping @Sendable () -> ReservationSnapshot?,
         digest: @escaping @Sendable (UInt64) -> UInt64?,
         send: @escaping @Sendable ([ResolvedChange], UInt64) async -> Outcome) {
        self.live = live
        self.digest = digest
        self.send = send
        group.withLock {
            $0 = GroupCommit(quiet: quiet, on: eventLoop) { [unowned self] in await self.commit($0) }
        }
    }

    /// Commits through `link`: a `changes-request` with the changes in a sealed memfd. Every
    /// snapshot the master pushes from now on, and the live one, is handed to
    /// ``snapshotBecameLive(_:)``.
    convenience init(link: OpsLink, eventLoop: any EventLoop) {
        self.init(eventLoop: eventLoop, live: { link.context?.snapshot },
                  digest: { g in link.announced.withLock { $0?.generation == g ? $0?.digest : nil } },
                  send: { changes, base in await Self.send(changes, base: base, link: link) })
        link.snapshotObserver.withLock { $0 = { [weak self] in self?.snapshotBecameLive($0) } }
        if let snapshot = live(), snapshot.generation != 0 { snapshotBecameLive(snapshot) }
    }

    /// A snapshot became live. Unless it is the one this process's commit is making live, or
    /// the working copy already equals it, the working copy is dropped and a new one is built
    /// from it on a background thread (not the caller's: the channel's thread goes on), so that
    /// the first commit on top of it does not wait for the build (about 1.5 s at 1,000,000).
    func snapshotBecameLive(_ snapshot: ReservationSnapshot) {
        let g = snapshot.generation
        if inFlight.withLock({ $0.map { $0 + 1 == g } ?? false }) { return }
        let current = working.withLock { w -> Bool in
            if w?.generation == g { return true }
            w = nil
            return false
        }
        guard !current else { return }
        prepared.start(generation: g) { ReservationStore(snapshot.allReservations) }
    }

    /// One commit through `link`.
    static func send(_ changes: [ResolvedChange], base: UInt64, link: OpsLink) async -> Outcome {
        let bytes = ChangeSetCodec.encode(changes)
        let fd: FileDescriptor
        do {
            fd = try SealedMemoryFile.create(name: "shadowdhcp-changes", byteCount: bytes.count) { buffer in
                buffer.copyBytes(from: bytes)
            }
        } catch {
            return .failed("Failed to pass the changes to the master: \(error)")
        }
        defer { try? fd.close() }
        let answer = await link.request({
            .changesRequest(ChangesRequest(requestID: $0, baseGeneration: base, byteCount: UInt64(bytes.count),
                                           digest: SnapshotDigest.compute(bytes), changeCount: UInt32(changes.count)))
        }, passing: fd)
        guard case .mutationResult(let result)? = answer else { return .failed(OpsBackend.masterGone.error) }
        switch result.outcome {
        case .done: return .done
        case .failed(let error, _): return .failed(error)
        case .stale: return .stale
        }
    }

    /// Queues one request's changes for the next commit and returns its answer.
    func submit(_ changes: [ReservationChange]) async -> Answer {
        let group = group.withLock { $0! }
        return await group.submit(changes)
    }

    /// Commits one group (``GroupCommit`` calls it with every waiting request).
    func commit(_ requests: [[ReservationChange]]) async -> [Answer] {
        for _ in 0..<3 {
            if let answers = await attempt(requests) { return answers }
        }
        let failure = ManagementFailure(error: "Failed to apply changes: the reservations were reloaded three times meanwhile; try again")
        return requests.map { _ in .failure(failure) }
    }

    /// One try; nil when another generation was live by the time the master read the commit (then
    /// nothing of it is live, and the caller tries again on top of the new one).
    private func attempt(_ requests: [[ReservationChange]]) async -> [Answer]? {
        let started = Clocks.monotonicMilliseconds()
        guard let snapshot = live() else {
            return requests.map { _ in .failure(OpsBackend.masterGone) }
        }
        let base = snapshot.generation
        var store: ReservationStore
        let copy: CopySource
        if let kept = working.withLock({ current -> ReservationStore? in
            defer { current = nil }
            return current?.generation == base ? current?.store : nil
        }) {
            (store, copy) = (kept, .kept)
        } else if let ready = await prepared.takeSuspending(generation: base) {
            (store, copy) = (ready, .prepared)
        } else if prepared.start(generation: base, { ReservationStore(snapshot.allReservations) }),
                  let fresh = await prepared.takeSuspending(generation: base) {
            // Built now, but off the event loop, which goes on serving meanwhile.
            (store, copy) = (fresh, .built)
        } else {
            (store, copy) = (ReservationStore(snapshot.allReservations), .built)
        }
        lastCopy.withLock { $0 = copy }
        var outcomes: [Result<ChangeCounts, ManagementFailure>] = []
        var resolved: [ResolvedChange] = []
        for request in requests {
            switch store.applyResolving(request) {
            case .success(let done):
                outcomes.append(.success(done.counts))
                resolved += done.resolved
            case .failure(let error):
                let lines = error.errors.lines
                outcomes.append(.failure(ManagementFailure(error: "Invalid request: " + lines.joined(separator: "\n"),
                                                           errors: lines)))
            }
        }
        let total = outcomes.reduce(ChangeCounts()) { sum, o in sum + ((try? o.get()) ?? ChangeCounts()) }
        guard !resolved.isEmpty else {
            // Nothing applied: the live set stands, no new generation.
            working.withLock { $0 = (store, base) }
            return answers(outcomes, count: store.count, generation: base, digest: digest(base) ?? 0)
        }
        let applied = Clocks.monotonicMilliseconds()
        inFlight.withLock { $0 = base }
        let outcome = await send(resolved, base)
        inFlight.withLock { $0 = nil }
        switch outcome {
        case .done:
            break
        case .failed(let error):
            return fail(outcomes, error)
        case .stale:
            logger.info("reservation changes made on generation \(base), another is live: applying them again")
            return nil
        }
        let generation = base + 1
        working.withLock { $0 = (store, generation) }
        logger.info("reservation changes committed", metadata: [
            "requests": "\(requests.count)", "added": "\(total.added)", "updated": "\(total.updated)",
            "deleted": "\(total.deleted)", "count": "\(store.count)", "snapshot.generation": "\(generation)", "copy": "\(copy.rawValue)",
            "apply_ms": "\(applied - started)", "commit_ms": "\(Clocks.monotonicMilliseconds() - applied)"])
        return answers(outcomes, count: store.count, generation: generation, digest: digest(generation) ?? 0)
    }

    private func answers(_ outcomes: [Result<ChangeCounts, ManagementFailure>], count: Int, generation: UInt64,
                         digest: UInt64) -> [Answer] {
        outcomes.map { o in
            o.map { ChangeResult(counts: $0, reservationCount: count, snapshotGeneration: generation, snapshotDigest: digest) }
        }
    }

    /// The group could not be made live: requests that were valid get `text`; the working copy,
    /// now ahead of what is live, is dropped (it was taken out of ``working`` already).
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
