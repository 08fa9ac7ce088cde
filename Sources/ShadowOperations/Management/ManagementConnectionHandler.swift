import Logging
import NIOCore
import ShadowCore

/// One management connection: reads one line (bounded in size and time), answers it once, closes.
///
/// Runs on the connection's event loop. The request itself is handled in a Swift task, so a
/// large `replace` never holds up the loop that serves other clients.
final class ManagementConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limits: ManagementServer.Limits
    private let service: ManagementService
    private let logger: Logger
    private let inFlight: InFlight
    private var buffer: ByteBuffer?
    /// Bytes of ``buffer`` already searched for the newline.
    private var scanned = 0
    private var idleTimer: Scheduled<Void>?
    private var deadlineTimer: Scheduled<Void>?
    /// A response is on its way (or the connection is gone): ignore further input.
    private var answered = false

    init(limits: ManagementServer.Limits, service: ManagementService, logger: Logger, inFlight: InFlight) {
        self.limits = limits
        self.service = service
        self.logger = logger
        self.inFlight = inFlight
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        let loop = context.eventLoop.assumeIsolated()
        deadlineTimer = loop.scheduleTask(in: limits.requestDeadline) {
            self.reject(channel, "request not complete within \(Self.seconds(self.limits.requestDeadline)) s")
        }
        restartIdleTimer(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        var incoming = unwrapInboundIn(data)
        if buffer == nil { buffer = incoming } else { buffer!.writeBuffer(&incoming) }
        restartIdleTimer(context)
        guard let buffer else { return }
        if let end = Self.newline(in: buffer, from: scanned) {
            guard end <= limits.maxRequestBytes else { return rejectOversize(context.channel) }
            answer(context.channel, line: buffer.getSlice(at: buffer.readerIndex, length: end)!)
        } else if buffer.readableBytes > limits.maxRequestBytes {
            rejectOversize(context.channel)
        } else {
            scanned = buffer.readableBytes
        }
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
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("management connection error", metadata: ["error": "\(error)"])
        finish()
        context.close(promise: nil)
    }

    // MARK: Answering

    /// Hands the line to the service in a task and writes its response.
    private func answer(_ channel: any Channel, line: ByteBuffer) {
        finish()
        let job = ManagementJob(service: service, channel: channel, logger: logger, writeTimeout: limits.writeTimeout)
        let inFlight = self.inFlight
        inFlight.enter()
        Task {
            await job.run(line)
            inFlight.leave()
        }
    }

    private func rejectOversize(_ channel: any Channel) {
        reject(channel, "request larger than \(limits.maxRequestBytes) bytes")
    }

    /// Answers `Invalid request: <reason>` without reading more.
    private func reject(_ channel: any Channel, _ reason: String) {
        guard !answered else { return }
        finish()
        logger.warning("refused management request", metadata: ["reason": "\(reason)"])
        ManagementJob.send(ManagementRequestError(reason).response, on: channel, writeTimeout: limits.writeTimeout)
    }

    /// Stops the timers, frees the buffer and ignores further input.
    private func finish() {
        answered = true
        idleTimer?.cancel()
        deadlineTimer?.cancel()
        idleTimer = nil
        deadlineTimer = nil
        buffer = nil
    }

    private func restartIdleTimer(_ context: ChannelHandlerContext) {
        idleTimer?.cancel()
        let channel = context.channel
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: limits.readTimeout) {
            self.reject(channel, "no complete request line within \(Self.seconds(self.limits.readTimeout)) s")
        }
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
    let logger: Logger
    let writeTimeout: TimeAmount

    func run(_ line: ByteBuffer) async {
        let response = await service.handle(line)
        try? await Self.send(response, on: channel, writeTimeout: writeTimeout).get()
        logger.info("handled management request",
                    metadata: ["peer": "\(channel.remoteAddress.map { "\($0)" } ?? "unix socket")",
                               "success": "\(response.success)"])
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
