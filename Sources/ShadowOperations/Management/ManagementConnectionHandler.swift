import Logging
import NIOCore
import ShadowCore

/// One management connection: reads one line (bounded in size and time), answers it once, closes.
///
/// Runs on the connection's event loop. The request itself is handled in a Swift task, so a
/// large `replace` never holds up the loop that serves other clients. A request that grows past
/// ``ManagementServer/Limits/largeRequestBytes`` goes on being received only when its leading
/// `command` and `token` authorise a change and the server's one large-request slot is free; the
/// slot is held until the response is written.
final class ManagementConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limits: ManagementServer.Limits
    private let service: ManagementService
    private let logger: Logger
    private let inFlight: InFlight
    private let peer: ManagementPeer
    private let largeRequestSlot: LargeRequestSlot
    /// This connection holds ``largeRequestSlot``.
    private var holdsLargeSlot = false
    private var buffer: ByteBuffer?
    /// Bytes of ``buffer`` already searched for the newline.
    private var scanned = 0
    private lazy var deadlines = ConnectionDeadlines(
        limits: limits, idleReason: "no complete request line within \(Self.seconds(limits.readTimeout)) s",
        expired: { [weak self] channel, reason in self?.reject(channel, reason) })
    /// A response is on its way (or the connection is gone): ignore further input.
    private var answered = false

    init(limits: ManagementServer.Limits, service: ManagementService, peer: ManagementPeer = .localRoot,
         logger: Logger, inFlight: InFlight, largeRequestSlot: LargeRequestSlot = LargeRequestSlot()) {
        self.limits = limits
        self.service = service
        self.peer = peer
        self.logger = logger
        self.inFlight = inFlight
        self.largeRequestSlot = largeRequestSlot
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) { deadlines.start(context.channel) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        var incoming = unwrapInboundIn(data)
        if buffer == nil { buffer = incoming } else { buffer!.writeBuffer(&incoming) }
        deadlines.restartIdle(context.channel)
        guard let buffer else { return }
        if let end = Self.newline(in: buffer, from: scanned) {
            guard end <= limits.maxRequestBytes else { return rejectOversize(context.channel) }
            if end > limits.largeRequestBytes && !holdsLargeSlot {
                guard admitLarge(context.channel, buffer) else { return }
            }
            answer(context.channel, line: buffer.getSlice(at: buffer.readerIndex, length: end)!)
        } else if buffer.readableBytes > limits.maxRequestBytes {
            rejectOversize(context.channel)
        } else {
            if buffer.readableBytes > limits.largeRequestBytes && !holdsLargeSlot {
                guard admitLarge(context.channel, buffer) else { return }
            }
            scanned = buffer.readableBytes
        }
    }

    /// Lets a request grow past ``ManagementServer/Limits/largeRequestBytes``: its leading
    /// `command` and `token` must authorise a change, and no other large request may be in
    /// progress. Otherwise answers with the reason and returns false.
    private func admitLarge(_ channel: any Channel, _ buffer: ByteBuffer) -> Bool {
        if let refusal = service.refusalOfLargeRequest(prefix: buffer, peer: peer) {
            reject(channel, refusal, raw: true)
            return false
        }
        guard largeRequestSlot.tryAcquire() else {
            let busy = "busy: another large request (over \(limits.largeRequestBytes) bytes) is being "
                + "received or applied; try again when it is done"
            service.auditBusy(peer: peer, message: "Invalid request: " + busy)
            reject(channel, busy)
            return false
        }
        holdsLargeSlot = true
        deadlines.extendDeadline(channel, to: limits.requestDeadline)
        return true
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? ChannelEvent, event == .inputClosed, !answered else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // End of input: a request without its newline is still a request (as upstream); nothing at all
        // means the client only connected.
        if let buffer, buffer.readableBytes > 0 {
            answer(context.channel, line: buffer)
        } else {
            finish()
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        releaseLargeSlot()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("management connection error", metadata: ["error": "\(error)"])
        finish()
        releaseLargeSlot()
        context.close(promise: nil)
    }

    private func releaseLargeSlot() {
        if holdsLargeSlot {
            holdsLargeSlot = false
            largeRequestSlot.release()
        }
    }

    // MARK: Answering

    /// Hands the line to the service in a task and writes its response.
    private func answer(_ channel: any Channel, line: ByteBuffer) {
        finish()
        let job = ManagementJob(service: service, channel: channel, peer: peer, logger: logger,
                                writeTimeout: limits.writeTimeout)
        let inFlight = self.inFlight
        // The job owns the large-request slot from here on, until its response is written.
        let slot: LargeRequestSlot? = holdsLargeSlot ? largeRequestSlot : nil
        holdsLargeSlot = false
        inFlight.enter()
        Task {
            await job.run(line)
            slot?.release()
            inFlight.leave()
        }
    }

    private func rejectOversize(_ channel: any Channel) {
        reject(channel, "request larger than \(limits.maxRequestBytes) bytes")
    }

    /// Answers `Invalid request: <reason>` (or `<reason>` as is when `raw`) without reading more.
    private func reject(_ channel: any Channel, _ reason: String, raw: Bool = false) {
        guard !answered else { return }
        finish()
        releaseLargeSlot()
        logger.warning("refused management request",
                       metadata: ["reason": "\(reason)", "mgmt.peer": "\(peer.address)",
                                  "mgmt.transport": "\(peer.transport.rawValue)"])
        let response = raw ? ManagementResponse.failure(reason) : ManagementRequestError(reason).response
        ManagementJob.send(response, on: channel, writeTimeout: limits.writeTimeout)
    }

    /// Stops the timers, frees the buffer and ignores further input.
    private func finish() {
        answered = true
        deadlines.cancel()
        buffer = nil
    }


    /// Offset (from the reader index) of the first `\n` at or after `from`.
    static func newline(in buffer: ByteBuffer, from: Int) -> Int? {
        buffer.withUnsafeReadableBytes { bytes in
            bytes[from...].firstIndex(of: UInt8(ascii: "\n"))
        }
    }

    static func seconds(_ t: TimeAmount) -> String {
        let ms = t.nanoseconds / 1_000_000
        return ms % 1000 == 0 ? "\(ms / 1000)" : "\(Double(ms) / 1000)"
    }
}

/// One request handed from the event loop to a Swift task: handle it, write the response, close.
struct ManagementJob: Sendable {
    let service: ManagementService
    let channel: any Channel
    let peer: ManagementPeer
    let logger: Logger
    let writeTimeout: TimeAmount

    /// Handles `line` (the service writes the audit line) and writes the response.
    func run(_ line: ByteBuffer) async {
        let response = await service.handle(line, peer: peer)
        try? await Self.send(response, on: channel, writeTimeout: writeTimeout).get()
    }

    /// Writes one response line, then closes (also when the client does not read it in time).
    /// The future completes when the connection is closed.
    @discardableResult
    static func send(_ response: ManagementResponse, on channel: any Channel,
                     writeTimeout: TimeAmount) -> EventLoopFuture<Void> {
        let buffer = channel.allocator.buffer(string: response.line)
        let guardTimer = channel.eventLoop.scheduleTask(in: writeTimeout) { channel.close(promise: nil) }
        return channel.writeAndFlush(buffer)
            .flatMapError { _ in channel.eventLoop.makeSucceededVoidFuture() }
            .flatMap {
                guardTimer.cancel()
                return channel.close()
            }
            .recover { _ in }
    }
}
