import Glibc
import ShadowCore
import ShadowSystem
import Synchronization
import SystemPackage

/// Writes `bindings.json` on a background thread, so encoding tens of MB and the fsyncs never
/// hold the master's poll loop (signals, management, the workers' channels). One save at a time;
/// the loop polls ``descriptor`` and takes the outcome with ``take()``.
final class BindingSaver: Sendable {
    private let wakeup: Wakeup
    /// The outcome of the save that finished and was not taken yet: nil while none, `.success`
    /// or the error text.
    private let outcome = Mutex<Result<Void, SaveFailure>?>(nil)
    private let running = Atomic<Bool>(false)

    struct SaveFailure: Error, CustomStringConvertible {
        var description: String
    }

    init() throws(Errno) {
        wakeup = try Wakeup()
    }

    /// Readable when a save has finished.
    var descriptor: FileDescriptor { wakeup.descriptor }

    /// Whether a save is still being written.
    var isRunning: Bool { running.load(ordering: .acquiring) }

    /// Starts writing `table` (a copy: the loop goes on changing its own) with `store`; false when
    /// a save is still running, or no thread could be started (then nothing was written: save
    /// on this thread with ``BindingStore/save(_:)``).
    func start(_ table: BindingTable, to store: BindingStore) -> Bool {
        guard !running.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        do {
            try BackgroundThread.detach { [self] in
                let result: Result<Void, SaveFailure>
                do {
                    try store.save(table)
                    result = .success(())
                } catch {
                    result = .failure(SaveFailure(description: "\(error)"))
                }
                outcome.withLock { $0 = result }
                running.store(false, ordering: .releasing)
                wakeup.signal()
            }
            return true
        } catch {
            running.store(false, ordering: .releasing)
            return false
        }
    }

    /// The finished save's outcome, if one finished since the last call (loop thread).
    func take() -> Result<Void, SaveFailure>? {
        wakeup.clear()
        return outcome.withLock { slot in
            defer { slot = nil }
            return slot
        }
    }

    /// Waits until no save is running (at shutdown, before the last save on the loop thread).
    func waitUntilIdle() {
        while running.load(ordering: .acquiring) { usleep(1000) }
    }
}
