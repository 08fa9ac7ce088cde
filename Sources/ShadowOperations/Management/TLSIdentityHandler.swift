import NIOCore
import NIOSSL
import NIOTLS

/// Waits for the TLS handshake of a management connection, then installs the request handler
/// (which needs the verified client certificate's CN) and steps aside. A connection that does not
/// complete its handshake within `timeout`, or whose handshake fails (no client certificate when
/// one is required, one not signed by `client_ca_file`), is closed.
final class TLSIdentityHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let timeout: TimeAmount
    private let install: (any Channel) throws -> Void
    private let failed: (any Error) -> Void
    private var timer: Scheduled<Void>?

    /// `failed` hears of a handshake that failed (audited and counted against the peer).
    init(timeout: TimeAmount, install: @escaping (any Channel) throws -> Void,
         failed: @escaping (any Error) -> Void = { _ in }) {
        self.timeout = timeout
        self.install = install
        self.failed = failed
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let tls = event as? TLSUserEvent, case .handshakeCompleted = tls else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        timer?.cancel()
        timer = nil
        do {
            try install(context.channel)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } catch {
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A failed handshake: nothing was read, nothing is answered; it is audited.
        if timer != nil {
            timer?.cancel()
            timer = nil
            failed(error)
        }
        context.close(promise: nil)
    }
}
