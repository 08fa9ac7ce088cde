import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ShadowCore

/// ClickHouse's answer to one insert: the HTTP status and the start of its body (the error text).
public struct ClickHouseResponse: Sendable, Equatable {
    public var status: Int
    public var message: String
}

/// Why an insert got no HTTP answer.
public struct ClickHousePostError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// One POST on a new connection (`Connection: close`): connect within the connect timeout, TLS
/// for https (verified against the trust roots ops loaded before its sandbox: the certificate must
/// name `localhost` or the IP address), and an answer within the request timeout, or the
/// connection is closed and the insert fails.
struct ClickHousePoster: Sendable {
    let url: ClickHouseURL
    let user: String
    let password: String
    let database: String
    let tls: NIOSSLContext?
    let connectTimeout: TimeAmount
    let requestTimeout: TimeAmount

    /// Builds the TLS context for an https URL from `trustRoots`; fails without them.
    init(url: ClickHouseURL, user: String, password: String, database: String, trustRoots: [NIOSSLCertificate]?,
         connectTimeout: TimeAmount, requestTimeout: TimeAmount) throws {
        self.url = url
        self.user = user
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        if url.scheme == .https {
            guard let trustRoots, !trustRoots.isEmpty else {
                throw ClickHousePostError(description: "events.clickhouse.url is https but no trust roots were loaded")
            }
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .certificates(trustRoots)
            configuration.certificateVerification = .fullVerification
            tls = try NIOSSLContext(configuration: configuration)
        } else {
            tls = nil
        }
    }

    /// Inserts `rows` (one JSON object each) into `table`.
    func post(_ rows: [String], into table: ClickHouseTable, on eventLoop: any EventLoop) -> EventLoopFuture<ClickHouseResponse> {
        let promise = eventLoop.makePromise(of: ClickHouseResponse.self)
        let address: NIOCore.SocketAddress
        do {
            address = try EventSender.nioAddress(url.address)
        } catch {
            promise.fail(error)
            return promise.futureResult
        }
        var buffer = ByteBufferAllocator().buffer(capacity: rows.reduce(0) { $0 + $1.utf8.count + 1 })
        for row in rows {
            buffer.writeString(row)
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        let body = buffer
        let head = ClickHouseRequest.head(url: url, target: ClickHouseRequest.target(path: url.path, database: database,
                                                                                     table: table),
                                          user: user, password: password, length: body.readableBytes)
        let tls = self.tls
        let serverName: String? = url.host == .localhost ? "localhost" : nil
        let timeout = eventLoop.scheduleTask(in: requestTimeout) {
            promise.fail(ClickHousePostError(description: "no answer within \(requestTimeout.nanoseconds / 1_000_000) ms"))
        }
        ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                do {
                    let sync = channel.pipeline.syncOperations
                    if let tls { try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName)) }
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(ClickHouseResponseHandler(promise: promise))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .connect(to: address)
            .whenComplete { result in
                switch result {
                case .failure(let error):
                    promise.fail(error)
                case .success(let channel):
                    promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
                    channel.write(HTTPClientRequestPart.head(head), promise: nil)
                    channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil)
                    channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
                }
            }
        promise.futureResult.whenComplete { _ in timeout.cancel() }
        return promise.futureResult
    }
}

/// Collects the status and up to 1 KiB of the body; completes at the end of the response.
private final class ClickHouseResponseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<ClickHouseResponse>
    private var status: Int?
    private var message = ""
    private var done = false

    init(promise: EventLoopPromise<ClickHouseResponse>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(var buffer):
            if message.utf8.count < 1024 {
                message += buffer.readString(length: min(buffer.readableBytes, 1024 - message.utf8.count)) ?? ""
            }
        case .end:
            finish(.success(ClickHouseResponse(status: status ?? 0, message: message)))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(ClickHousePostError(description: "connection closed before the answer")))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<ClickHouseResponse, any Error>) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
    }
}
