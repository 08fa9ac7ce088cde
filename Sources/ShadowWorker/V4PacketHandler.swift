import DHCPv4
import IPC
import Logging
import ShadowCore
import ShadowSystem

/// Drives ``DHCPv4Engine`` for the v4 worker.
public struct V4PacketHandler: PacketHandler, Sendable {
    let engine: DHCPv4Engine

    /// The counter slots, handed out once.
    private struct Counters {
        let names: [String]
        let replies: CounterSlots<DHCPv4MessageType>
        let recorded: CounterSlots<DHCPv4MessageType>
        let drops: CounterSlots<DHCPv4NoReplyReason>
        /// Configured options left out of replies for size (docs/dhcpv4.md, "Size").
        let optionsOmitted: Int

        init() {
            var table = CounterTable()
            replies = CounterSlots("reply.", DHCPv4MessageType.allCases, in: &table) { $0.name }
            recorded = CounterSlots("recorded.", DHCPv4MessageType.allCases, in: &table) { $0.name }
            drops = CounterSlots("drop.", DHCPv4NoReplyReason.allCases, in: &table) { $0.rawValue }
            optionsOmitted = table.slot(WorkerCounterName.optionsOmittedForSize)
            names = table.names
        }
    }
    private static let counters = Counters()
    public static var counterNames: [String] { counters.names }

    /// An unchanged binding is reported again once the worker's copy is this old, so that the
    /// master's `last_seen` and its eviction order (oldest first) follow the subscriber's
    /// activity; quick retries and repeats in between cost no IPC.
    static let bindingRefreshSeconds: UInt64 = 60

    public init(config: ServerConfig, ids: ServerIdentifiers) {
        engine = DHCPv4Engine(config: config, ids: ids)
    }

    public func handle(_ datagram: UnsafeRawBufferPointer, from source: SocketAddress,
                snapshot: ReservationSnapshot, bindings: BindingTable, shares: WorkerShares,
                reply: UnsafeMutableRawBufferPointer, sink: inout WorkerSink) -> (length: Int, destination: SocketAddress)? {
        guard case .v4(let address, let port) = source else { return nil }
        let outcome = engine.handle(datagram: datagram, source: address, sourcePort: port,
                                    snapshot: snapshot, bindings: bindings, shares: shares.shares, reply: reply)
        if sink.logs(outcome.mostSevereLogLevel.logger) {  // the lines allocate: build them only then
            sink.log(outcome.logLines)
        }
        sink.event { outcome.event.jsonLine(timestampKey: "timestamp_ms", timestamp: $0) }
        if let learned = outcome.learnedBinding, learned.isChange || Self.refreshDue(bindings.entry(for: learned.mac)) {
            sink.learned.append(BindingLearned(mac: learned.mac, option82: learned.option82))
        }
        switch outcome.action {
        case .reply(let length, let destination, let port):
            sink.count(Self.counters.replies[outcome.replyType])
            if outcome.optionsOmittedForSize > 0 {
                sink.count(Self.counters.optionsOmitted, by: UInt64(outcome.optionsOmittedForSize))
            }
            // An RFC 8925 ACK hands out no address: it serves no lease.
            if outcome.replyType == .ack, !outcome.v6OnlyPreferred, let index = outcome.event.match?.index {
                sink.served(index)
            }
            return (length, .v4(destination, port: port))
        case .noReply(let reason):
            sink.count(Self.counters.drops[reason])
            return nil
        case .recorded(let type):
            sink.count(Self.counters.recorded[type])
            return nil
        }
    }

    static func refreshDue(_ entry: BindingTable.Entry?) -> Bool {
        guard let entry else { return true }
        return Clocks.unixMilliseconds() / 1000 >= entry.lastSeen + bindingRefreshSeconds
    }
}
