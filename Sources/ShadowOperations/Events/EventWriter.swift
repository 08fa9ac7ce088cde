import Logging
import NIOCore
import NIOPosix
import ShadowCore

/// Sends analytics events (one JSON object per line) to a TCP collector (`events.tcp`,
/// docs/events.md).
///
/// ``submit(_:)`` never blocks: it appends to a bounded queue (`events.queue_size`) under one
/// short lock and counts the event as dropped when the queue is full. A sender on its own event
/// loop batches up to 256 events or 3 s after the first one, connects lazily, retries a failed
/// batch after 3 s + jitter up to 100 attempts, then drops it with a warning. Delivery is
/// at-least-once (a batch that failed part-way is sent again whole).
public final class EventWriter: Sendable {
    /// Timing and sizes; the defaults are upstream's.
    public struct Configuration: Sendable {
        /// The collector, `events.tcp`.
        public var address: ShadowCore.SocketAddress
        /// Queue capacity, `events.queue_size`.
        public var queueSize: Int = 16384
        /// Events per write.
        public var batchSize: Int = 256
        /// How long a batch waits for more events after its first one.
        public var batchDelay: TimeAmount = .seconds(3)
        /// Pause before retrying a failed batch, plus a random jitter in `0..<retryJitter`.
        public var retryDelay: TimeAmount = .seconds(3)
        public var retryJitter: TimeAmount = .seconds(1)
        /// Attempts per batch (the first included) before it is dropped.
        public var maxAttempts: Int = 100
        /// A write that has not completed by then counts as failed (the connection is closed).
        public var writeTimeout: TimeAmount = .seconds(2)
        public var connectTimeout: TimeAmount = .seconds(3)
        /// Queue-full drops are logged at most this often (upstream: after every flush).
        public var dropReportInterval: TimeAmount = .seconds(10)

        public init(address: ShadowCore.SocketAddress, queueSize: Int = 16384) {
            self.address = address
            self.queueSize = queueSize
        }
    }

    /// Counters, readable from any thread (for `stats` and `/metrics`).
    public struct Counters: Sendable, Equatable {
        /// Every call to ``EventWriter/submit(_:)``.
        public var submitted: UInt64 = 0
        /// Events written to the collector.
        public var sent: UInt64 = 0
        /// Events waiting in the queue now (not counting the batch being sent).
        public var queued: UInt64 = 0
        /// Events refused because the queue was full (or the writer was shut down).
        public var droppedQueueFull: UInt64 = 0
        /// Events given up: a batch dropped after its last attempt, or left over at shutdown.
        public var droppedUndelivered: UInt64 = 0
        /// ClickHouse only: rows the server refused for good (a 4xx other than 408 and 429).
        public var droppedRejected: UInt64 = 0
        /// Whether a connection to the collector is open (ClickHouse: whether the last insert
        /// got an HTTP answer).
        public var connected = false

        public init() {}
    }

    let configuration: Configuration
    let queue: EventQueue
    let eventLoop: any EventLoop
    private let sender: NIOLoopBoundBox<EventSender>

    /// A writer whose sender runs on `eventLoop` (e.g. one loop of the master's
    /// `MultiThreadedEventLoopGroup`). Nothing is connected until the first batch.
    public init(configuration: Configuration, eventLoop: any EventLoop, logger: Logger) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        let queue = EventQueue(capacity: configuration.queueSize)
        self.queue = queue
        sender = NIOLoopBoundBox.makeBoxSendingValue(
            EventSender(configuration: configuration, queue: queue, eventLoop: eventLoop, logger: logger),
            eventLoop: eventLoop)
        logger.info("Starting analytics writer sending to \(configuration.address)")
    }

    /// Queues one event (a JSON object on one line; a trailing `\n` is optional). Returns false
    /// when it was dropped because the queue is full. Callable from any thread; never waits for
    /// the network.
    @discardableResult
    public func submit(_ line: String) -> Bool {
        let (queued, wake) = queue.push(line)
        if wake {
            let sender = self.sender
            eventLoop.execute { sender.value.wake() }
        }
        return queued
    }

    /// ``submit(_:)`` for an event as UTF-8 bytes (as it arrives over IPC).
    @discardableResult
    public func submit(utf8 line: [UInt8]) -> Bool {
        submit(String(decoding: line, as: UTF8.self))
    }

    /// The counters now.
    public var counters: Counters { queue.counters }

    /// Stops accepting events and sends what is queued (each batch tried once, stopping at the
    /// first failure) for at most `timeout`; then closes the connection. What is left is counted
    /// in ``Counters/droppedUndelivered``.
    public func shutdown(timeout: TimeAmount = .seconds(5)) async {
        queue.close()
        let sender = self.sender
        let promise = eventLoop.makePromise(of: Void.self)
        eventLoop.execute { sender.value.drain(timeout: timeout, promise: promise) }
        try? await promise.futureResult.get()
    }
}
