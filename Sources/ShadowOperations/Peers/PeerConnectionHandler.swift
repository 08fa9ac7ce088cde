import NIOCore

/// One peer connection on the event loop: feeds what it reads to its ``PeerSession``, writes
/// the handshake's answers, and hands authenticated messages, the handshake's end, failures and
/// the close to the ``PeerHub``.
final class PeerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Unique among the hub's connections.
    let id: UInt64
    let hub: PeerHub
    var session: PeerSession
    /// The configured peer: known from the start when dialling, after the hello when accepting.
    var peerIndex: Int?
    /// The other side's IP address, for the logs.
    private(set) var remoteIP = "unknown"
    let opened: NIODeadline
    private(set) var lastReceived: NIODeadline
    /// Closed or being closed: nothing more is read or sent.
    private(set) var finished = false
    private var context: ChannelHandlerContext?

    init(id: UInt64, hub: PeerHub, session: PeerSession, peerIndex: Int?) {
        self.id = id
        self.hub = hub
        self.session = session
        self.peerIndex = peerIndex
        opened = .now()
        lastReceived = opened
    }

    var role: PeerSession.Role { session.role }
    var isEstablished: Bool { session.isEstablished && !finished }
    var isWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        if let address = context.channel.remoteAddress { remoteIP = address.ipAddress ?? "\(address)" }
        hub.opened(self)
        if session.role == .dialer {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: session.opening())), promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        let buffer = unwrapInboundIn(data)
        lastReceived = .now()
        let wasEstablished = session.isEstablished
        let received: (messages: [PeerMessage], replies: [[UInt8]])
        do {
            received = try session.receive(buffer.readableBytesView)
        } catch {
            hub.refuse(self, reason: error.reason, detail: error.description, beforeAuthentication: !wasEstablished)
            return
        }
        for reply in received.replies { context.write(wrapOutboundOut(ByteBuffer(bytes: reply)), promise: nil) }
        if !received.replies.isEmpty { context.flush() }
        if !wasEstablished && session.isEstablished { hub.authenticated(self) }
        for message in received.messages where !finished { hub.received(message, on: self) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let wasFinished = finished
        finished = true
        hub.closed(self, byUs: wasFinished)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close()
    }

    /// Seals `message` and writes it (flushed unless `flush` is false); only once established.
    func send(_ message: PeerMessage, flush: Bool = true) {
        guard isEstablished, let context else { return }
        let frame = session.seal(message)
        context.write(wrapOutboundOut(ByteBuffer(bytes: frame)), promise: nil)
        if flush { context.flush() }
    }

    func flush() { context?.flush() }

    /// Closes the connection; the hub hears of it in ``channelInactive(context:)``.
    func close() {
        guard !finished else { return }
        finished = true
        context?.close(promise: nil)
    }
}
