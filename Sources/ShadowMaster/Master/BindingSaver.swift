import ShadowCore
import ShadowSystem
import SystemPackage

/// Writes `bindings.json` on a background thread, so encoding tens of MB and the fsyncs never
/// hold the master's poll loop (signals, management, the workers' channels). One save at a time;
/// the loop polls ``descriptor`` and takes the outcome with ``take()``.
final class BindingSaver: Sendable {
    private let job: PolledJob<Result<Void, SaveFailure>>

    struct SaveFailure: Error, CustomStringConvertible {
        var description: String
    }

    init() throws(Errno) {
        job = try PolledJob()
    }

    /// Readable when a save has finished.
    var descriptor: FileDescriptor { job.descriptor }

    /// Whether a save is still being written.
    var isRunning: Bool { job.isRunning }

    /// Starts writing `table` (a copy: the loop goes on changing its own) with `store`; false when
    /// a save is still running, or no thread could be started (then nothing was written: save
    /// on this thread with ``BindingStore/save(_:)``).
    func start(_ table: BindingTable, to store: BindingStore) -> Bool {
        job.start {
            do {
                try store.save(table)
                return .success(())
            } catch {
                return .failure(SaveFailure(description: "\(error)"))
            }
        }
    }

    /// The finished save's outcome, if one finished since the last call (loop thread).
    func take() -> Result<Void, SaveFailure>? { job.take() }

    /// Waits until no save is running (at shutdown, before the last save on the loop thread).
    func waitUntilIdle() { job.waitUntilIdle() }
}
