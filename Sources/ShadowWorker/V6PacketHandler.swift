import DHCPv6
import IPC
import ShadowCore

/// Drives ``DHCPv6Engine`` for the v6 worker.
public struct V6PacketHandler: PacketHandler, Sendable {
    let engine: DHCPv6Engine

    /// The counter slots, handed out once.
    private struct Counters {
        let names: [String]
        let replies: CounterSlots<DHCPv6MessageType>
        let drops: CounterSlots<DHCPv6NoReplyReason>

        init() {
            var table = CounterTable()
            replies = CounterSlots("reply.", DHCPv6MessageType.allCases, in: &table) { $0.eventName }
            drops = CounterSlots("drop.", DHCPv6NoReplyReason.allCases, in: &table) { $0.rawValue }
            names = table.names
        }
    }
    private static let counters = Counters()
    public static var counterNames: [String] { counters.names }

    public init(config: ServerConfig, ids: ServerIdentifiers) {
        engine = DHCPv6Engine(config: config, ids: ids)
    }

    public func handle(_ datagram: UnsafeRawBufferPointer, from source: SocketAddress,
                snapshot: ReservationSnapshot, bindings: BindingTable, shares: WorkerShares,
                reply: UnsafeMutableRawBufferPointer, sink: inout WorkerSink) -> (length: Int, destination: SocketAddress)? {
        guard case .v6(let address, let port) = source else { return nil }
        let outcome = engine.handle(datagram: datagram, source: address, sourcePort: port,
                                    snapshot: snapshot, bindings: bindings, shares: shares.shares,
                                    holdCorrelation: shares.holdCorrelation, reply: reply)
        if sink.logs(outcome.mostSevereLogLevel.logger) {  // the lines allocate: build them only then
            sink.log(outcome.logLines)
        }
        sink.event { outcome.event.jsonLine(timestampKey: "timestamp_ms", timestamp: $0) }
        switch outcome.action {
        case .reply(let length, let destination, let port):
            sink.count(Self.counters.replies[outcome.replyType])
            if outcome.replyType == .reply, LastServedRule.servesLeases(v6: outcome.event.messageType),
               let index = outcome.event.match?.index {
                sink.served(index)
            }
            return (length, .v6(destination, port: port))
        case .noReply(let reason):
            sink.count(Self.counters.drops[reason])
            return nil
        }
    }
}
