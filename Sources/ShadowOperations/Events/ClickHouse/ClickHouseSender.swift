import Logging
import NIOCore
import ShadowCore

/// The ClickHouse writer's loop-confined half: shapes, batches, inserts, retries, drains.
/// Every method runs on ``eventLoop``.
final class ClickHouseSender {
    let configuration: ClickHouseWriter.Configuration
    let poster: ClickHousePoster
    let queue: EventQueue
    let eventLoop: any EventLoop
    let logger: Logger

    /// The batch's rows not yet stored, per table (they never grow while the batch is retried).
    private var rows: [ClickHouseTable: [String]] = [.v4: [], .v6: []]
    private var attempts = 0
    /// An insert is in progress or a retry is scheduled.
    private var busy = false
    private var batchTimer: Scheduled<Void>?
    private var retryTimer: Scheduled<Void>?
    private var drainPromise: EventLoopPromise<Void>?
    private var drainDeadline = NIODeadline.distantFuture
    private var drainFinished = false
    private var lastDropReport = NIODeadline.distantPast

    init(configuration: ClickHouseWriter.Configuration, poster: ClickHousePoster, queue: EventQueue,
         eventLoop: any EventLoop, logger: Logger) {
        self.configuration = configuration
        self.poster = poster
        self.queue = queue
        self.eventLoop = eventLoop
        self.logger = logger
    }

    private var rowCount: Int { rows.values.reduce(0) { $0 + $1.count } }

    // MARK: Normal operation

    func wake() {
        if busy || drainPromise != nil { return }
        fill()
    }

    /// Shapes queued lines into the batch; inserts a full batch, or starts the batch timer.
    private func fill() {
        let wasEmpty = rowCount == 0
        take(upTo: configuration.batchSize, willLookAgain: false)
        if rowCount >= configuration.batchSize {
            flush()
        } else if wasEmpty && rowCount > 0 {
            batchTimer = eventLoop.assumeIsolated().scheduleTask(in: configuration.batchDelay) { self.flush() }
        }
    }

    /// Moves lines from the queue into the batch until it holds `limit` rows or the queue is
    /// empty (lines that are no DHCP event are skipped).
    private func take(upTo limit: Int, willLookAgain: Bool) {
        while rowCount < limit {
            let room = limit - rowCount
            let lines = queue.take(max: room, willLookAgain: willLookAgain)
            for line in lines {
                if let (table, row) = ClickHouseRow.shape(line, hostName: configuration.hostName) {
                    rows[table, default: []].append(row)
                }
            }
            if lines.count < room { return }
        }
    }

    /// Starts inserting the batch.
    private func flush() {
        batchTimer?.cancel()
        batchTimer = nil
        guard rowCount > 0 else { return }
        busy = true
        queue.senderBusy()
        insertNext()
    }

    /// Inserts the next table's rows (v4 first); when none are left the batch is done.
    private func insertNext() {
        guard let table = ClickHouseTable.allCases.first(where: { !(rows[$0] ?? []).isEmpty }) else {
            batchDone()
            return
        }
        let batch = rows[table] ?? []
        poster.post(batch, into: table, on: eventLoop).assumeIsolated().whenComplete { result in
            // The drain's deadline came first: these rows were counted as undelivered then.
            guard !self.drainFinished else { return }
            self.reportDrops()
            let outcome: ClickHouseRequest.Outcome
            switch result {
            case .success(let response):
                self.queue.update { $0.connected = true }
                outcome = ClickHouseRequest.outcome(status: response.status)
                if outcome == .transient {
                    self.logger.debug("ClickHouse insert not stored, retrying",
                                      metadata: ["status": "\(response.status)", "answer": "\(response.message.prefix(200))"])
                } else if outcome == .permanent {
                    self.logger.warning("""
                        ClickHouse \(table.protocolName) dropped batch of \(batch.count) after permanent HTTP \
                        \(response.status)
                        """, metadata: ["answer": "\(response.message.prefix(300))"])
                }
            case .failure(let error):
                self.queue.update { $0.connected = false }
                self.logger.debug("ClickHouse insert failed, retrying", metadata: ["error": "\(error)"])
                outcome = .transient
            }
            let n = UInt64(batch.count)
            switch outcome {
            case .delivered:
                self.queue.update { $0.sent += n }
                self.rows[table] = []
                self.insertNext()
            case .permanent:
                self.queue.update { $0.droppedRejected += n }
                self.rows[table] = []
                self.insertNext()
            case .transient:
                self.failed()
            }
        }
    }

    private func batchDone() {
        attempts = 0
        busy = false
        if drainPromise != nil {
            drainNext()
        } else {
            fill()
        }
    }

    /// A transient failure: retry after the backoff pause, or give up after the last attempt.
    private func failed() {
        if drainPromise != nil {
            busy = false
            finishDrain()
            return
        }
        attempts += 1
        guard attempts < configuration.maxAttempts else {
            let n = rowCount
            logger.warning("ClickHouse writer dropped batch of \(n) after exhausted retries")
            queue.update { $0.droppedUndelivered += UInt64(n) }
            for t in ClickHouseTable.allCases { rows[t] = [] }
            batchDone()
            return
        }
        retryTimer = eventLoop.assumeIsolated().scheduleTask(in: Self.backoff(attempt: attempts, configuration)) {
            self.retryTimer = nil
            self.flush()
        }
    }

    /// The pause after the `attempt`-th failure (1-based): `retryDelay` doubled per attempt, at
    /// most `maxRetryDelay`, plus a random jitter.
    static func backoff(attempt: Int, _ c: ClickHouseWriter.Configuration, jitter: Bool = true) -> TimeAmount {
        let doublings = min(attempt - 1, 30)
        let base = min(c.retryDelay.nanoseconds.multipliedReportingOverflow(by: Int64(1) << doublings).partialValue,
                       c.maxRetryDelay.nanoseconds)
        let extra = jitter && c.retryJitter.nanoseconds > 0 ? Int64.random(in: 0..<c.retryJitter.nanoseconds) : 0
        return .nanoseconds(max(0, base) + extra)
    }

    /// Warns about queue-full drops since the last warning, at most once per interval.
    private func reportDrops(force: Bool = false) {
        let now = NIODeadline.now()
        guard force || now - lastDropReport >= configuration.dropReportInterval else { return }
        let n = queue.takeUnreportedDrops()
        guard n > 0 else { return }
        lastDropReport = now
        logger.warning("Dropped \(n) DHCP events at ClickHouse sender (channel full)")
    }

    // MARK: Shutdown

    func drain(timeout: TimeAmount, promise: EventLoopPromise<Void>) {
        guard drainPromise == nil else { promise.succeed(); return }
        drainPromise = promise
        drainDeadline = .now() + timeout
        batchTimer?.cancel()
        batchTimer = nil
        eventLoop.assumeIsolated().scheduleTask(deadline: drainDeadline) { self.finishDrain() }
        if let retry = retryTimer {
            retry.cancel()
            retryTimer = nil
            busy = false
        }
        if !busy { drainNext() }
    }

    private func drainNext() {
        guard drainPromise != nil, !drainFinished else { return }
        if rowCount == 0 { take(upTo: configuration.batchSize, willLookAgain: true) }
        guard rowCount > 0, NIODeadline.now() < drainDeadline else { finishDrain(); return }
        flush()
    }

    private func finishDrain() {
        guard let promise = drainPromise, !drainFinished else { return }
        drainFinished = true
        var left = UInt64(rowCount)
        for line in queue.take(max: Int.max, willLookAgain: true)
        where ClickHouseRow.shape(line, hostName: configuration.hostName) != nil {
            left += 1
        }
        for t in ClickHouseTable.allCases { rows[t] = [] }
        queue.update { $0.droppedUndelivered += left }
        drainDeadline = .distantPast
        reportDrops(force: true)
        promise.succeed()
    }
}
