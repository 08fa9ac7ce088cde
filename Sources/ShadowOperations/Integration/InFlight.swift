import Synchronization

/// Counts requests being handled in Swift tasks, so a server's `stop` can wait for them before
/// the event loop group they write to is shut down.
final class InFlight: Sendable {
    private let count = Atomic<Int>(0)

    func enter() { count.add(1, ordering: .relaxed) }
    func leave() { count.subtract(1, ordering: .relaxed) }
    var isIdle: Bool { count.load(ordering: .relaxed) == 0 }

    /// Returns when nothing is in flight, or after `timeout`.
    func waitIdle(timeout: Duration) async {
        let clock = ContinuousClock()
        let end = clock.now + timeout
        while !isIdle && clock.now < end { try? await Task.sleep(for: .milliseconds(10)) }
    }
}
