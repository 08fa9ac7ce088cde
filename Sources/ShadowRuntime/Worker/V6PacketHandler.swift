import DHCPv6
import ShadowCore

/// Drives ``DHCPv6Engine`` for the v6 worker.
struct V6PacketHandler: PacketHandler {
    let engine: DHCPv6Engine

    init(config: ServerConfig, ids: ServerIdentifiers) {
        engine = DHCPv6Engine(config: config, ids: ids)
    }

    func handle(_ datagram: UnsafeRawBufferPointer, from source: SocketAddress,
                snapshot: ReservationSnapshot, bindings: BindingTable,
                reply: UnsafeMutableRawBufferPointer, sink: inout WorkerSink) -> (length: Int, destination: SocketAddress)? {
        guard case .v6(let address, let port) = source else { return nil }
        let outcome = engine.handle(datagram: datagram, source: address, sourcePort: port,
                                    snapshot: snapshot, bindings: bindings, reply: reply)
        let line = outcome.logLine()
        sink.log(line.isInfo ? .info : .debug, line.message, line.fields.map { ($0.key, $0.value) })
        sink.event { outcome.event.jsonLine(timestampKey: "timestamp_ms", timestamp: $0) }
        switch outcome.action {
        case .reply(let length, let destination, let port):
            sink.count("reply.\(outcome.replyType?.eventName ?? "Reply")")
            return (length, .v6(destination, port: port))
        case .noReply(let reason):
            sink.count("drop.\(reason.rawValue)")
            return nil
        }
    }
}
