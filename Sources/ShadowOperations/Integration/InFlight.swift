import NIOCore
import Synchronization

/// Counts requests being handled in Swift tasks, so a server's `stop` can wait for them before
/// the event loop group they write to is shut down.
final class InFlight: Sendable {
    private let count = Atomic<Int>(0)

    func enter() { count.add(1, ordering: .relaxed) }
    func leave() { count.subtract(1, ordering: .relaxed) }
    var isIdle: Bool { count.load(ordering: .relaxed) == 0 }

    /// Returns when nothing is in flight, or after `timeout`.
    ///
    /// Checks every 10 ms with a timer of `eventLoop`, not with `Task.sleep`: in `shadow-ops` a
    /// delayed task would start a Dispatch worker thread, and Dispatch's pool monitor reads
    /// `/proc/TID/stat`, which does not exist in the chroot (docs/privileges.md).
    func waitIdle(timeout: Duration, on eventLoop: any EventLoop) async {
        guard !isIdle else { return }
        let promise = eventLoop.makePromise(of: Void.self)
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        eventLoop.execute {
            eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(10), delay: .milliseconds(10)) { task in
                if self.isIdle || NIODeadline.now() >= deadline {
                    task.cancel()
                    promise.succeed()
                }
            }
        }
        try? await promise.futureResult.get()
    }
}
