import NIOCore
import NIOPosix
import Synchronization

/// A TCP collector on 127.0.0.1 that records every line it receives (the analytics consumer).
final class LineCollector: Sendable {
    let group: any EventLoopGroup
    private let state = Mutex<(lines: [String], server: (any Channel)?, children: [any Channel])>(([], nil, []))

    init(group: any EventLoopGroup) { self.group = group }

    /// Listens on `port` (0: any free port) and returns the port.
    @discardableResult
    func start(port: Int = 0) async throws -> Int {
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                self.state.withLock { $0.children.append(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(LineSplitter(sink: self))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        state.withLock { $0.server = server }
        return server.localAddress!.port!
    }

    /// Closes the listener and every connection (the consumer goes away).
    func stop() async {
        let (server, children) = state.withLock { s in
            defer { s.server = nil; s.children = [] }
            return (s.server, s.children)
        }
        try? await server?.close()
        for c in children { try? await c.close() }
    }

    func append(_ line: String) { state.withLock { $0.lines.append(line) } }
    var lines: [String] { state.withLock { $0.lines } }
}

/// Splits a byte stream into `\n`-terminated lines.
final class LineSplitter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let sink: LineCollector
    private var pending: [UInt8] = []

    init(sink: LineCollector) { self.sink = sink }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        while let i = pending.firstIndex(of: UInt8(ascii: "\n")) {
            sink.append(String(decoding: pending[..<i], as: UTF8.self))
            pending.removeSubrange(...i)
        }
    }
}
