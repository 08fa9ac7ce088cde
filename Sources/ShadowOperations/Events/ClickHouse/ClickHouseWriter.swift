import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ShadowCore

/// Inserts the DHCP events into ClickHouse over its HTTP interface (`events.clickhouse`,
/// docs/events.md), without a collector in between.
///
/// Like ``EventWriter`` (and beside it, with a queue of its own): ``submit(_:)`` never blocks, it
/// appends to a bounded queue (`events.queue_size`) and counts the event as dropped when the queue
/// is full. A sender on its own event loop shapes each line into a row (``ClickHouseRow``),
/// collects up to 10,000 rows or what has arrived 1 s after the first, and POSTs the DHCPv4 rows,
/// then the DHCPv6 rows (``ClickHouseRequest``). 2xx: delivered; 408, 429, 5xx or a network
/// error: the rest of the batch is retried with backoff (1 s doubling to 30 s, plus jitter, 20
/// attempts, then dropped with a warning); another status: that table's rows are dropped with
/// the warning `ClickHouse v4|v6 dropped batch of N after permanent HTTP <status>`.
public final class ClickHouseWriter: Sendable {
    public struct Configuration: Sendable {
        public var url: ClickHouseURL
        public var user: String
        public var password: String
        public var database: String
        /// The `host_name` of every row.
        public var hostName: String
        /// For an https URL: the certificates to trust (the system store, read before the sandbox).
        public var trustRoots: [NIOSSLCertificate]?
        /// Queue capacity, `events.queue_size`.
        public var queueSize: Int = 16384
        /// Rows per batch (both tables together).
        public var batchSize: Int = 10_000
        /// How long a batch waits for more rows after its first one.
        public var batchDelay: TimeAmount = .seconds(1)
        /// The first retry pause; each further one doubles, up to ``maxRetryDelay``, plus a random
        /// jitter in `0..<retryJitter`.
        public var retryDelay: TimeAmount = .seconds(1)
        public var maxRetryDelay: TimeAmount = .seconds(30)
        public var retryJitter: TimeAmount = .milliseconds(500)
        /// Attempts per batch (the first included) before what is left of it is dropped.
        public var maxAttempts: Int = 20
        public var connectTimeout: TimeAmount = .seconds(3)
        /// Connect, TLS, request and answer together.
        public var requestTimeout: TimeAmount = .seconds(10)
        /// Queue-full drops are logged at most this often.
        public var dropReportInterval: TimeAmount = .seconds(10)

        public init(url: ClickHouseURL, user: String, password: String, database: String, hostName: String,
                    trustRoots: [NIOSSLCertificate]? = nil, queueSize: Int = 16384) {
            self.url = url
            self.user = user
            self.password = password
            self.database = database
            self.hostName = hostName
            self.trustRoots = trustRoots
            self.queueSize = queueSize
        }
    }

    let configuration: Configuration
    let queue: EventQueue
    let eventLoop: any EventLoop
    private let sender: NIOLoopBoundBox<ClickHouseSender>

    /// A writer whose sender runs on `eventLoop`. Throws when an https URL has no usable trust roots.
    public init(configuration: Configuration, eventLoop: any EventLoop, logger: Logger) throws {
        self.configuration = configuration
        self.eventLoop = eventLoop
        let poster = try ClickHousePoster(
            url: configuration.url, user: configuration.user, password: configuration.password,
            database: configuration.database, trustRoots: configuration.trustRoots,
            connectTimeout: configuration.connectTimeout, requestTimeout: configuration.requestTimeout)
        let queue = EventQueue(capacity: configuration.queueSize)
        self.queue = queue
        sender = NIOLoopBoundBox.makeBoxSendingValue(
            ClickHouseSender(configuration: configuration, poster: poster, queue: queue, eventLoop: eventLoop,
                             logger: logger),
            eventLoop: eventLoop)
        logger.info("Starting ClickHouse writer -> \(configuration.url) (host_name=\(configuration.hostName))")
    }

    /// Queues one event line. Returns false when it was dropped because the queue is full.
    /// Callable from any thread; never waits for the network.
    @discardableResult
    public func submit(_ line: String) -> Bool {
        let (queued, wake) = queue.push(line)
        if wake {
            let sender = self.sender
            eventLoop.execute { sender.value.wake() }
        }
        return queued
    }

    @discardableResult
    public func submit(utf8 line: [UInt8]) -> Bool {
        submit(String(decoding: line, as: UTF8.self))
    }

    /// The counters now (`sent`: rows ClickHouse stored).
    public var counters: EventWriter.Counters { queue.counters }

    /// Stops accepting events and inserts what is queued (each insert tried once, stopping at the
    /// first failure) for at most `timeout`. What is left counts as `droppedUndelivered`.
    public func shutdown(timeout: TimeAmount = .seconds(5)) async {
        queue.close()
        let sender = self.sender
        let promise = eventLoop.makePromise(of: Void.self)
        eventLoop.execute { sender.value.drain(timeout: timeout, promise: promise) }
        try? await promise.futureResult.get()
    }

    /// ``shutdown(timeout:)`` for a caller outside Swift concurrency.
    public func shutdownBlocking(timeout: TimeAmount = .seconds(5)) {
        _ = try? Blocking.run { await self.shutdown(timeout: timeout) }
    }
}
