import NIOCore
import Synchronization

/// The bounded queue between ``EventWriter/submit(_:)`` (any thread, never blocks for long: one
/// uncontended lock) and the sender on its event loop, with the writer's counters.
final class EventQueue: Sendable {
    struct State {
        var lines = CircularBuffer<String>()
        /// True while the sender will look at the queue again without being woken.
        var senderWillLook = false
        var closed = false
        var counters = EventWriter.Counters()
        /// Queue-full drops since the last drop warning.
        var unreportedDrops: UInt64 = 0
    }

    let capacity: Int
    private let state: Mutex<State>

    init(capacity: Int) {
        precondition(capacity > 0, "events.queue_size must be at least 1")
        self.capacity = capacity
        var s = State()
        s.lines.reserveCapacity(min(capacity, 65536))
        state = Mutex(s)
    }

    /// Appends `line` unless the queue is full or closed. Returns whether it was queued and
    /// whether the caller must wake the sender.
    func push(_ line: String) -> (queued: Bool, wake: Bool) {
        state.withLock { s in
            s.counters.submitted += 1
            guard !s.closed, s.lines.count < capacity else {
                s.counters.droppedQueueFull += 1
                s.unreportedDrops += 1
                return (false, false)
            }
            s.lines.append(line)
            s.counters.queued = UInt64(s.lines.count)
            let wake = !s.senderWillLook
            s.senderWillLook = true
            return (true, wake)
        }
    }

    /// Removes up to `max` lines for the sender. `willLookAgain` tells whether the sender will
    /// come back to the queue by itself (it is busy); when it won't and the queue is now empty,
    /// the next push wakes it.
    func take(max: Int, willLookAgain: Bool) -> [String] {
        state.withLock { s in
            var out: [String] = []
            out.reserveCapacity(Swift.min(max, s.lines.count))
            while out.count < max, let line = s.lines.popFirst() { out.append(line) }
            s.counters.queued = UInt64(s.lines.count)
            s.senderWillLook = willLookAgain || !s.lines.isEmpty
            return out
        }
    }

    /// Marks the sender as looking at the queue again later (it is busy now).
    func senderBusy() { state.withLock { $0.senderWillLook = true } }

    /// Refuses further pushes (they count as dropped).
    func close() { state.withLock { $0.closed = true } }

    /// Queue-full drops not yet reported in a warning; resets that figure.
    func takeUnreportedDrops() -> UInt64 {
        state.withLock { s in
            defer { s.unreportedDrops = 0 }
            return s.unreportedDrops
        }
    }

    func update(_ body: (inout EventWriter.Counters) -> Void) { state.withLock { body(&$0.counters) } }

    var counters: EventWriter.Counters { state.withLock { $0.counters } }
}
