import Glibc
import ShadowSystem
import Synchronization
import SystemPackage

/// One job at a time on a background thread, whose outcome the master's poll loop takes when
/// ``descriptor`` is readable: what keeps a long write (`bindings.json`, `reservations.json`) off
/// the loop that answers signals and the workers' channels.
final class PolledJob<Outcome: Sendable>: Sendable {
    private let wakeup: Wakeup
    /// The outcome of the job that finished and was not taken yet.
    private let outcome = Mutex<Outcome?>(nil)
    private let running = Atomic<Bool>(false)

    init() throws(Errno) {
        wakeup = try Wakeup()
    }

    /// Readable when a job has finished.
    var descriptor: FileDescriptor { wakeup.descriptor }

    /// Whether a job is still running.
    var isRunning: Bool { running.load(ordering: .acquiring) }

    /// Starts `body` on a new thread; false when a job is still running or no thread could be
    /// started (then nothing ran).
    func start(_ body: @escaping @Sendable () -> Outcome) -> Bool {
        guard !running.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        do {
            try BackgroundThread.detach { [self] in
                let result = body()
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

    /// The finished job's outcome, if one finished since the last call (loop thread).
    func take() -> Outcome? {
        wakeup.clear()
        return outcome.withLock { slot in
            defer { slot = nil }
            return slot
        }
    }

    /// Waits until no job is running.
    func waitUntilIdle() {
        while running.load(ordering: .acquiring) { usleep(1000) }
    }
}
