import Logging
import NIOCore
import NIOPosix
import ShadowCore

/// The writer's loop-confined half: batches, connects, writes, retries, drains.
/// Every method runs on ``eventLoop``.
final class EventSender {
    let configuration: EventWriter.Configuration
    let queue: EventQueue
    let eventLoop: any EventLoop
    let logger: Logger

    /// The batch being collected or sent (never grows while it is retried).
    private var batch: [String] = []
    private var attempts = 0
    /// A write or connect is in progress, or a retry is scheduled.
    private var busy = false
    private var channel: (any Channel)?
    private var batchTimer: Scheduled<Void>?
    private var retryTimer: Scheduled<Void>?
    /// Set by ``drain(timeout:promise:)``: after the current write, keep draining, then complete it.
    private var drainPromise: EventLoopPromise<Void>?
    private var drainDeadline = NIODeadline.distantFuture
    private var drainFinished = false
    /// When queue-full drops were last reported.
    private var lastDropReport = NIODeadline.distantPast

    init(configuration: EventWriter.Configuration, queue: EventQueue, eventLoop: any EventLoop, logger: Logger) {
        self.configuration = configuration
        self.queue = queue
        self.eventLoop = eventLoop
        self.logger = logger
    }

    // MARK: Normal operation

    /// New events are queued.
    func wake() {
        if busy || drainPromise != nil { return }
        fill()
    }

    /// Moves queued events into the batch; flushes a full batch, or starts the batch timer.
    private func fill() {
        let wasEmpty = batch.isEmpty
        let room = configuration.batchSize - batch.count
        let taken = queue.take(max: room, willLookAgain: room == 0)
        batch.append(contentsOf: taken)
        if batch.count >= configuration.batchSize {
            flush()
        } else if wasEmpty && !batch.isEmpty {
            batchTimer = eventLoop.assumeIsolated().scheduleTask(in: configuration.batchDelay) { self.flush() }
        }
    }

    /// Sends the batch; on failure schedules a retry or drops it after the last attempt.
    private func flush() {
        batchTimer?.cancel()
        batchTimer = nil
        guard !batch.isEmpty else { return }
        busy = true
        queue.senderBusy()
        send(batch).assumeIsolated().whenComplete { result in
            self.reportDrops()
            if self.drainPromise != nil {
                self.afterDrainWrite(result)
                return
            }
            switch result {
            case .success: self.delivered()
            case .failure(let error): self.failed(error)
            }
        }
    }

    private func delivered() {
        batch.removeAll(keepingCapacity: true)
        attempts = 0
        busy = false
        fill()
    }

    private func failed(_ error: any Error) {
        attempts += 1
        guard attempts < configuration.maxAttempts else {
            logger.warning("TCP writer dropped batch of \(batch.count) after exhausted retries")
            let n = UInt64(batch.count)
            queue.update { $0.droppedUndelivered += n }
            batch.removeAll(keepingCapacity: true)
            attempts = 0
            busy = false
            fill()
            return
        }
        logger.debug("event batch not delivered, retrying", metadata: ["error": "\(error)", "attempt": "\(attempts)"])
        let jitter = configuration.retryJitter.nanoseconds > 0
            ? TimeAmount.nanoseconds(Int64.random(in: 0..<configuration.retryJitter.nanoseconds)) : .zero
        retryTimer = eventLoop.assumeIsolated().scheduleTask(in: configuration.retryDelay + jitter) {
            self.retryTimer = nil
            self.flush()
        }
    }

    /// Warns about queue-full drops since the last warning: after a write attempt, at most once
    /// per ``EventWriter/Configuration/dropReportInterval`` (always at the end of a drain).
    private func reportDrops(force: Bool = false) {
        let now = NIODeadline.now()
        guard force || now - lastDropReport >= configuration.dropReportInterval else { return }
        let n = queue.takeUnreportedDrops()
        guard n > 0 else { return }
        lastDropReport = now
        logger.warning("Dropped \(n) DHCP events at sender (channel full)")
    }

    // MARK: Connection

    var currentChannel: (any Channel)? { channel }

    /// Keeps `channel` as the connection until it closes.
    func adopt(_ channel: any Channel) {
        self.channel = channel
        queue.update { $0.connected = true }
        channel.closeFuture.assumeIsolated().whenComplete { _ in
            if self.channel === channel { self.dropConnection() }
        }
    }

    /// Closes and forgets the connection (the next batch reconnects).
    func dropConnection() {
        channel?.close(promise: nil)
        channel = nil
        queue.update { $0.connected = false }
    }

    // MARK: Shutdown

    /// Sends what is left, each batch once, until done, a failure or the deadline.
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
        if batch.isEmpty { batch = queue.take(max: configuration.batchSize, willLookAgain: true) }
        guard !batch.isEmpty, NIODeadline.now() < drainDeadline else { finishDrain(); return }
        flush()
    }

    private func afterDrainWrite(_ result: Result<Void, any Error>) {
        busy = false
        switch result {
        case .success:
            batch.removeAll(keepingCapacity: true)
            drainNext()
        case .failure:
            finishDrain()
        }
    }

    /// Counts what was not sent, closes the connection and completes the drain.
    private func finishDrain() {
        guard let promise = drainPromise, !drainFinished else { return }
        drainFinished = true
        let left = UInt64(batch.count) + UInt64(queue.take(max: Int.max, willLookAgain: true).count)
        batch.removeAll()
        queue.update { $0.droppedUndelivered += left }
        drainDeadline = .distantPast
        let closing = channel?.close() ?? eventLoop.makeSucceededVoidFuture()
        channel = nil
        queue.update { $0.connected = false }
        closing.whenComplete { _ in promise.succeed() }
        reportDrops(force: true)
    }
}
