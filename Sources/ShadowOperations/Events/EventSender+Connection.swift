import NIOCore
import NIOPosix
import ShadowCore

extension EventSender {
    /// Writes `lines` (each with `\n`) on the connection, connecting first if needed. Fails on a
    /// connect error, a write error, or when the write has not completed within the write timeout.
    func send(_ lines: [String]) -> EventLoopFuture<Void> {
        connection().assumeIsolated().flatMap { channel in
            var buffer = channel.allocator.buffer(capacity: lines.reduce(0) { $0 + $1.utf8.count + 1 })
            for line in lines {
                buffer.writeString(line)
                if !line.hasSuffix("\n") { buffer.writeInteger(UInt8(ascii: "\n")) }
            }
            let write = channel.writeAndFlush(buffer)
            let timeout = channel.eventLoop.scheduleTask(in: self.configuration.writeTimeout) {
                channel.close(promise: nil)
            }
            let count = UInt64(lines.count)
            let queue = self.queue
            return write.always { _ in timeout.cancel() }.map { queue.update { $0.sent += count } }
        }.flatMapErrorThrowing { error in
            self.dropConnection()
            throw error
        }.nonisolated()
    }

    /// The open connection, or a new one.
    private func connection() -> EventLoopFuture<any Channel> {
        if let channel = currentChannel, channel.isActive { return eventLoop.makeSucceededFuture(channel) }
        dropConnection()
        let address: NIOCore.SocketAddress
        do {
            address = try Self.nioAddress(configuration.address)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in channel.eventLoop.makeSucceededVoidFuture() }
            .connect(to: address)
            .assumeIsolated()
            .map { channel in
                self.adopt(channel)
                return channel
            }
            .nonisolated()
    }

    /// `ip:port` as a NIO address.
    static func nioAddress(_ a: ShadowCore.SocketAddress) throws -> NIOCore.SocketAddress {
        switch a {
        case .v4(let ip, let port): try NIOCore.SocketAddress(ipAddress: ip.description, port: Int(port))
        case .v6(let ip, let port): try NIOCore.SocketAddress(ipAddress: ip.description, port: Int(port))
        }
    }
}
