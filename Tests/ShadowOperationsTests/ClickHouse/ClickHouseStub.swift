import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A tiny HTTP server on 127.0.0.1 standing in for ClickHouse: records every request and answers
/// with the next scripted status (200 once the script is used up; 0: no answer at all).
final class ClickHouseStub: Sendable {
    struct Request: Sendable {
        var method: HTTPMethod
        var uri: String
        var headers: HTTPHeaders
        var body: String
        /// The body's lines.
        var rows: [String] { body.split(separator: "\n").map(String.init) }
    }

    let group: any EventLoopGroup
    private let state = Mutex<(requests: [Request], script: [Int], server: (any Channel)?)>(([], [], nil))

    init(group: any EventLoopGroup, script: [Int] = []) {
        self.group = group
        state.withLock { $0.script = script }
    }

    @discardableResult
    func start(port: Int = 0) async throws -> Int {
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(StubHandler(stub: self))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        state.withLock { $0.server = server }
        return server.localAddress!.port!
    }

    func stop() async {
        let server = state.withLock { s in defer { s.server = nil }; return s.server }
        try? await server?.close()
    }

    /// Records `request`; the status to answer.
    func record(_ request: Request) -> Int {
        state.withLock { s in
            s.requests.append(request)
            return s.script.isEmpty ? 200 : s.script.removeFirst()
        }
    }

    var requests: [Request] { state.withLock { $0.requests } }
}

private final class StubHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let stub: ClickHouseStub
    private var head: HTTPRequestHead?
    private var body = ""

    init(stub: ClickHouseStub) { self.stub = stub }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = ""
        case .body(var b):
            body += b.readString(length: b.readableBytes) ?? ""
        case .end:
            guard let head else { return }
            let status = stub.record(.init(method: head.method, uri: head.uri, headers: head.headers, body: body))
            guard status != 0 else { return }
            let text = status == 200 ? "" : "Code: 27. DB::Exception: stub answer \(status)\n"
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: String(text.utf8.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status),
                                                                 headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
