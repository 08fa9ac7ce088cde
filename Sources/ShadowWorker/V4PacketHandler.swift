import DHCPv4
import IPC
import Logging
import ShadowCore
import ShadowSystem

/// Drives ``DHCPv4Engine`` for the v4 worker.
public struct V4PacketHandler: PacketHandler, Sendable {
    let engine: DHCPv4Engine
    /// With `leasequery` in the configuration: answers DHCPLEASEQUERY (docs/leasequery.md).
    let leasequery: V4Leasequery?

    /// The counter slots, handed out once.
    private struct Counters {
        let names: [String]
        let replies: CounterSlots<DHCPv4MessageType>
        let recorded: CounterSlots<DHCPv4MessageType>
        let drops: CounterSlots<DHCPv4NoReplyReason>
        let leasequery: LeasequeryCounterSlots
        /// Configured options left out of replies for size (docs/dhcpv4.md, "Size").
        let optionsOmitted: Int

        init() {
            var table = CounterTable()
            replies = CounterSlots("reply.", DHCPv4MessageType.allCases, in: &table) { $0.name }
            recorded = CounterSlots("recorded.", DHCPv4MessageType.allCases, in: &table) { $0.name }
            drops = CounterSlots("drop.", DHCPv4NoReplyReason.allCases, in: &table) { $0.rawValue }
            leasequery = LeasequeryCounterSlots(in: &table)
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
        leasequery = config.leasequery.map {
            V4Leasequery(settings: $0, responder: LeasequeryResponder(config: config, ids: ids),
                         slots: Self.counters.leasequery)
        }
    }

    /// Inlined into the batch step (as it was before storm control made it longer than the
    /// optimiser inlines by itself): a call per datagram costs more than the check it added.
    @inline(__always)
    public func handle(_ datagram: UnsafeRawBufferPointer, from source: SocketAddress,
                snapshot: ReservationSnapshot, bindings: BindingTable, shares: WorkerShares,
                reply: UnsafeMutableRawBufferPointer, sink: inout WorkerSink) -> (length: Int, destination: SocketAddress)? {
        guard case .v4(let address, let port) = source else { return nil }
        let outcome = engine.handle(datagram: datagram, source: address, sourcePort: port,
                                    snapshot: snapshot, bindings: bindings, shares: shares.shares, reply: reply)
        // A leasequery is a message type the engine does not serve: only its silences are looked at.
        if leasequery != nil, case .noReply(let reason) = outcome.action, reason == .discarded || reason == .notRelayed,
           case .handled(let answer) = leasequeryAnswer(datagram, address, port, snapshot, bindings, reply, &sink) {
            return answer
        }
        // Storm control: only a request that would be answered takes a token.
        if case .reply = outcome.action, !sink.admits(sink.rateBuckets.admitV4(datagram, now: sink.nowMilliseconds)) {
            return nil
        }
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
                if sink.relayIDs != nil { Self.recordRelayID(datagram, index, &sink) }
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

    public func bulkAnswer(_ query: UnsafeRawBufferPointer, from peer: SocketAddress, snapshot: ReservationSnapshot,
                           bindings: BindingTable, sink: inout WorkerSink) -> (any BulkReplyStream)? {
        leasequery?.bulkAnswer(query, from: peer, state: sink.leasequeryState(snapshot, bindings), sink: &sink)
    }

    /// The leasequery path, out of line so the packet path's code stays as it was.
    @inline(never)
    func leasequeryAnswer(_ datagram: UnsafeRawBufferPointer, _ address: IPv4Address, _ port: UInt16,
                          _ snapshot: ReservationSnapshot, _ bindings: BindingTable,
                          _ reply: UnsafeMutableRawBufferPointer, _ sink: inout WorkerSink) -> V4Leasequery.Handled {
        guard let leasequery else { return .notLeasequery }
        return leasequery.handle(datagram, source: address, port: port, state: sink.leasequeryState(snapshot, bindings),
                                 reply: reply, sink: &sink)
    }

    /// Bulk leasequery by relay identifier: which relay identifier this ACK's request came
    /// through (only with bulk: the table is nil otherwise).
    @inline(never)
    static func recordRelayID(_ datagram: UnsafeRawBufferPointer, _ index: Int, _ sink: inout WorkerSink) {
        guard let table = sink.relayIDs else { return }
        if let m = try? DHCPv4Message(decoding: datagram), let id = m.relayAgentInformation?.relayIdentifier, !id.isEmpty {
            table.record(index, relayID: id)
        } else {
            table.clear(index)
        }
    }

    static func refreshDue(_ entry: BindingTable.Entry?) -> Bool {
        guard let entry else { return true }
        return Clocks.unixMilliseconds() / 1000 >= entry.lastSeen + bindingRefreshSeconds
    }
}
