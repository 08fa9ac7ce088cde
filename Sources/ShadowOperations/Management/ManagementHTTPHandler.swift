import Logging
import NIOCore
import NIOHTTP1
import ShadowCore

/// One connection of the management HTTP API (docs/management.md, "HTTP API"): `POST /v1/command`
/// with the line protocol's JSON request as the body, answered with the same JSON response.
///
/// The request goes to the same ``ManagementService`` as a request line (same roles, limits and
/// audit); only the framing differs. `Authorization: Bearer TOKEN` is the request's token. One
/// request per connection: the response says `Connection: close` and the connection is closed.
///
/// Status codes: 200 when the command ran (its JSON may still say `success: false`), 400 for an
/// invalid request, 401 for missing or wrong credentials, 403 for a role that may not, 404 for
/// another path, 405 for another method, 413 for a body over `mgmt_max_request_bytes`, 415 for a
/// body that is not declared JSON, 503 while another large request is in progress.
final class ManagementHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The one path served.
    static let path = "/v1/command"

    private let limits: ManagementServer.Limits
    private let service: ManagementService
    private let peer: ManagementPeer
    private let logger: Logger
    private let inFlight: InFlight
    private let largeRequestSlot: LargeRequestSlot
    private var holdsLargeSlot = false
    private var head: HTTPRequestHead?
    private var bearerToken: String?
    private var body: ByteBuffer?
    private lazy var deadlines = ConnectionDeadlines(
        limits: limits,
        idleReason: "no complete request within \(ManagementConnectionHandler.seconds(limits.readTimeout)) s",
        expired: { [weak self] channel, reason in self?.reject(channel, .requestTimeout, reason) })
    /// A response is on its way: further input is discarded.
    private var answered = false
    /// The request's end arrived.
    private var ended = false
    /// A refusal was sent (``reject(_:_:_:raw:headers:version:)``).
    private var rejected = false

    init(limits: ManagementServer.Limits, service: ManagementService, peer: ManagementPeer, logger: Logger,
         inFlight: InFlight, largeRequestSlot: LargeRequestSlot) {
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
        let channel = context.channel
        switch unwrapInboundIn(data) {
        case .head(let h):
            guard !answered, head == nil else { return }
            deadlines.restartIdle(channel)
            if let (status, message, extra) = refusal(of: h) {
                return reject(channel, status, message, headers: extra, version: h.version)
            }
            head = h
            if h.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                let head = HTTPResponseHead(version: h.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
            }
        case .body(var part):
            guard !answered else { return }
            deadlines.restartIdle(channel)
            if body == nil { body = part } else { body!.writeBuffer(&part) }
            let size = body!.readableBytes
            if size > limits.maxRequestBytes {
                return reject(channel, .payloadTooLarge, "request larger than \(limits.maxRequestBytes) bytes")
            }
            if size > limits.largeRequestBytes && !holdsLargeSlot { admitLarge(channel) }
        case .end:
            ended = true
            if rejected {
                // A refusal was sent before the body was read: the body is read, now close.
                channel.close(promise: nil)
                return
            }
            guard !answered else { return }
            guard head != nil else { return }
            answer(channel)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        releaseLargeSlot()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("management HTTP connection error", metadata: ["error": "\(error)"])
        finish()
        releaseLargeSlot()
        context.close(promise: nil)
    }

    // MARK: The request head

    /// Why the request head is refused (status, message, extra headers), or nil.
    private func refusal(of h: HTTPRequestHead) -> (HTTPResponseStatus, String, [(String, String)])? {
        let path = h.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? h.uri
        guard path == Self.path else {
            return (.notFound, "no such resource \(path.prefix(100)); the management API is POST \(Self.path)", [])
        }
        guard h.method == .POST else {
            return (.methodNotAllowed, "method \(h.method.rawValue.prefix(20)) is not allowed; use POST \(Self.path)",
                    [("Allow", "POST")])
        }
        let types = h.headers[canonicalForm: "content-type"]
        guard types.count == 1, Self.isJSON(String(types[0])) else {
            let got = types.isEmpty ? "none" : types.map { String($0.prefix(100)) }.joined(separator: ", ")
            return (.unsupportedMediaType, "Content-Type must be application/json, got \(got)", [])
        }
        let lengths = h.headers[canonicalForm: "content-length"]
        if let length = lengths.first.flatMap({ Int($0) }), length > limits.maxRequestBytes {
            return (.payloadTooLarge, "request larger than \(limits.maxRequestBytes) bytes (Content-Length \(length))", [])
        }
        let authorizations = h.headers[canonicalForm: "authorization"]
        guard authorizations.count <= 1 else {
            return (.badRequest, "more than one Authorization header", [])
        }
        if let value = authorizations.first {
            let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                return unauthorized("Authorization must be `Bearer TOKEN`")
            }
            let token = parts[1].trimmingCharacters(in: " \t")
            guard TokenDigest.lengthRange.contains(token.utf8.count) else {
                return unauthorized("the bearer token must be \(TokenDigest.lengthRange.lowerBound) to "
                                    + "\(TokenDigest.lengthRange.upperBound) characters, got \(token.utf8.count)")
            }
            bearerToken = token
        }
        return nil
    }

    private func unauthorized(_ message: String) -> (HTTPResponseStatus, String, [(String, String)]) {
        service.auditRefusal(peer: peer, message: message, unauthenticated: true)
        return (.unauthorized, message, [("WWW-Authenticate", "Bearer")])
    }

    /// `application/json`, with or without parameters (`; charset=utf-8`), in any case.
    static func isJSON(_ contentType: String) -> Bool {
        let media = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        return media.trimmingCharacters(in: " \t").lowercased() == "application/json"
    }

    // MARK: Large requests

    /// As the line protocol: a body past ``ManagementServer/Limits/largeRequestBytes`` goes on only
    /// for an authorised change, one at a time.
    private func admitLarge(_ channel: any Channel) {
        guard let body else { return }
        if let refusal = service.refusalOfLargeRequest(prefix: body, peer: peer, bearerToken: bearerToken) {
            return reject(channel, Self.status(refusal.disposition == .answered ? .invalid : refusal.disposition),
                          refusal.message, raw: true)
        }
        guard largeRequestSlot.tryAcquire() else {
            let busy = "busy: another large request (over \(limits.largeRequestBytes) bytes) is being "
                + "received or applied; try again when it is done"
            service.auditBusy(peer: peer, message: "Invalid request: " + busy)
            return reject(channel, .serviceUnavailable, busy, headers: [("Retry-After", "5")])
        }
        holdsLargeSlot = true
        deadlines.extendDeadline(channel, to: limits.requestDeadline)
    }

    private func releaseLargeSlot() {
        if holdsLargeSlot {
            holdsLargeSlot = false
            largeRequestSlot.release()
        }
    }

    // MARK: Answering

    /// Hands the body to the service in a task and writes its response.
    private func answer(_ channel: any Channel) {
        guard let head else { return }
        let line = body ?? channel.allocator.buffer(capacity: 0)
        finish()
        let job = HTTPJob(service: service, channel: channel, peer: peer, token: bearerToken, version: head.version,
                          writeTimeout: limits.writeTimeout)
        let inFlight = self.inFlight
        let slot: LargeRequestSlot? = holdsLargeSlot ? largeRequestSlot : nil
        holdsLargeSlot = false
        inFlight.enter()
        Task {
            await job.run(line)
            slot?.release()
            inFlight.leave()
        }
    }

    /// The HTTP status of how a request ended.
    static func status(_ disposition: ManagementService.Disposition) -> HTTPResponseStatus {
        switch disposition {
        case .answered: .ok
        case .invalid: .badRequest
        case .unauthenticated: .unauthorized
        case .denied: .forbidden
        }
    }

    /// Answers with `status` and an error response without handling the request. The connection
    /// is closed once the request's end has been read (so the client sees the response rather
    /// than a reset), or after ``ManagementServer/Limits/readTimeout`` at the latest.
    private func reject(_ channel: any Channel, _ status: HTTPResponseStatus, _ message: String, raw: Bool = false,
                        headers: [(String, String)] = [], version: HTTPVersion? = nil) {
        guard !answered else { return }
        let version = version ?? head?.version ?? .http1_1
        rejected = true
        finish()
        releaseLargeSlot()
        logger.warning("refused management HTTP request",
                       metadata: ["status": "\(status.code)", "reason": "\(message)", "mgmt.peer": "\(peer.address)",
                                  "mgmt.transport": "\(peer.transport.rawValue)"])
        let response = raw ? ManagementResponse.failure(message) : ManagementRequestError(message).response
        let ended = self.ended
        Self.send(status, response, headers: headers, version: version, on: channel,
                  writeTimeout: limits.writeTimeout, close: ended)
        if !ended {
            let drain = channel.eventLoop.scheduleTask(in: limits.readTimeout) { channel.close(promise: nil) }
            channel.closeFuture.whenComplete { _ in drain.cancel() }
        }
    }

    /// Stops the timers, frees the body and ignores further input.
    private func finish() {
        answered = true
        deadlines.cancel()
        body = nil
    }

    /// Writes one response (`Content-Type: application/json`, the response line as the body),
    /// then closes when `close` (also when the client does not read it in time).
    @discardableResult
    static func send(_ status: HTTPResponseStatus, _ response: ManagementResponse, headers extra: [(String, String)],
                     version: HTTPVersion, on channel: any Channel, writeTimeout: TimeAmount,
                     close: Bool) -> EventLoopFuture<Void> {
        let body = channel.allocator.buffer(string: response.line)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        headers.add(name: "Connection", value: "close")
        for (name, value) in extra { headers.add(name: name, value: value) }
        let guardTimer = channel.eventLoop.scheduleTask(in: writeTimeout) { channel.close(promise: nil) }
        channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: version, status: status, headers: headers)),
                      promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(body)), promise: nil)
        return channel.writeAndFlush(HTTPServerResponsePart.end(nil))
            .flatMapError { _ in channel.eventLoop.makeSucceededVoidFuture() }
            .flatMap {
                guardTimer.cancel()
                return close ? channel.close() : channel.eventLoop.makeSucceededVoidFuture()
            }
            .recover { _ in }
    }
}

/// One HTTP request handed from the event loop to a Swift task: handle it, write the response, close.
struct HTTPJob: Sendable {
    let service: ManagementService
    let channel: any Channel
    let peer: ManagementPeer
    let token: String?
    let version: HTTPVersion
    let writeTimeout: TimeAmount

    func run(_ body: ByteBuffer) async {
        let answer = await service.answer(body, peer: peer, bearerToken: token)
        let extra: [(String, String)] = answer.disposition == .unauthenticated ? [("WWW-Authenticate", "Bearer")] : []
        let done = ManagementHTTPHandler.send(ManagementHTTPHandler.status(answer.disposition), answer.response,
                                              headers: extra, version: version, on: channel,
                                              writeTimeout: writeTimeout, close: true)
        try? await done.get()
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String { Substring(self).trimmingCharacters(in: set) }
}
