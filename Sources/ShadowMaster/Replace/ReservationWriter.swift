import ShadowCore
import ShadowSystem
import SystemPackage

/// Writes `reservations.json` for a `replace` on a background thread, after its set went live:
/// putting 1,000,000 entries into text and writing them with their fsyncs takes about 1.5 s,
/// which neither the workers (they already serve the set) nor the master's poll loop (signals,
/// the workers' channels) wait for. Beside the write it builds the working copy for
/// per-reservation changes from the same list and text (``ReservationChanges/adopt(_:generation:)``),
/// so that the set is neither decoded nor formatted a second time. One write at a time; the loop
/// polls ``descriptor`` and takes the outcome with ``take()``.
final class ReservationWriter: Sendable {
    private let job: PolledJob<Outcome>

    /// How a write ended: the file is in place (`notDurable` when only the fsync of its
    /// directory failed) and the working copy of what it holds, or it is not and the old file is
    /// untouched.
    enum Outcome: Sendable {
        case written(notDurable: Errno?, milliseconds: UInt64, workingCopy: ReservationStore)
        case failed(Errno)
    }

    init() throws(Errno) {
        job = try PolledJob()
    }

    /// Readable when a write has finished.
    var descriptor: FileDescriptor { job.descriptor }

    /// Starts writing `reservations` to `path`; false when a write is still running or no thread
    /// could be started (then nothing was written: use ``write(_:to:)`` on this thread).
    func start(_ reservations: [Reservation], to path: String) -> Bool {
        job.start { Self.write(reservations, to: path) }
    }

    /// The finished write's outcome, if one finished since the last call (loop thread).
    func take() -> Outcome? { job.take() }

    /// Waits until no write is running, then takes its outcome.
    func finish() -> Outcome? {
        job.waitUntilIdle()
        return take()
    }

    /// The file's normalised text (``ReservationPersistence``), written atomically: temporary
    /// file, fsync, rename, fsync of the directory; an existing file keeps its owner and mode.
    /// The working copy's indexes are built on another thread meanwhile.
    static func write(_ reservations: [Reservation], to path: String) -> Outcome {
        let started = Clocks.monotonicMilliseconds()
        let (text, entries) = ReservationPersistence.persistedBytesAndEntries(reservations, work: .threads)
        var (store, written) = BackgroundThread.alongside({ ReservationStore(reservations) }) { () -> Result<Errno?, Errno> in
            do throws(Errno) {
                return .success(try AtomicFile.write(text, to: path, permissions: 0o644, keepingOwnership: true))
            } catch {
                return .failure(error)
            }
        }
        switch written {
        case .success(let notDurable):
            store.adoptPersisted(text, entries: entries)
            return .written(notDurable: notDurable, milliseconds: Clocks.monotonicMilliseconds() - started, workingCopy: store)
        case .failure(let error):
            return .failed(error)
        }
    }
}
