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
        let leasequery: V6LeasequeryCounterSlots

        init() {
            var table = CounterTable()
            replies = CounterSlots("reply.", DHCPv6MessageType.allCases, in: &table) { $0.eventName }
            drops = CounterSlots("drop.", DHCPv6NoReplyReason.allCases, in: &table) { $0.rawValue }
            leasequery = V6LeasequeryCounterSlots(in: &table)
            names = table.names
        }
    }
    private static let counters = Counters()
    public static var counterNames: [String] { counters.names }

    public init(config: ServerConfig, ids: ServerIdentifiers) {
        engine = DHCPv6Engine(config: config, ids: ids)
    }

    /// Inlined into the batch step (as it was before storm control made it longer than the
    /// optimiser inlines by itself): a call per datagram costs more than the check it added.
    @inline(__always)
    public func handle(_ datagram: UnsafeRawBufferPointer, from source: SocketAddress,
                snapshot: ReservationSnapshot, bindings: BindingTable, shares: WorkerShares,
                reply: UnsafeMutableRawBufferPointer, sink: inout WorkerSink) -> (length: Int, destination: SocketAddress)? {
        guard case .v6(let address, let port) = source else { return nil }
        let outcome = engine.handle(datagram: datagram, source: address, sourcePort: port,
                                    snapshot: snapshot, bindings: bindings, shares: shares.shares,
                                    holdCorrelation: shares.holdCorrelation, reply: reply)
        // A LEASEQUERY is not a client message: the engine drops it (Discarded inside a relay,
        // ParseError sent directly); with leasequery enabled it is answered here instead.
        if case .noReply(let reason) = outcome.action, reason == .discarded || reason == .parseError,
           sink.leasequeryV6 != nil, DHCPv6Engine.isLeasequery(datagram) {
            return leasequery(datagram, from: address, port: port, snapshot: snapshot, reply: reply, sink: &sink)
        }
        // Storm control: only a request that would be answered takes a token.
        if case .reply = outcome.action, sink.rateBuckets.isOn,
           !sink.admits(sink.rateBuckets.admitV6(clientKey: outcome.event.clientIDHash, datagram: datagram, source: address,
                                                 now: sink.nowMilliseconds)) {
            return nil
        }
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
                if let state = sink.leasequeryV6 { Self.recordRelay(index, outcome.event.clientIDBytes, datagram, address, state) }
            }
            return (length, .v6(destination, port: port))
        case .noReply(let reason):
            sink.count(Self.counters.drops[reason])
            return nil
        }
    }

    /// Answers a leasequery (docs/leasequery.md, "DHCPv6"): counted by query type and result,
    /// logged, and reported as a `leasequery` event.
    /// Kept out of line: the client path only tests whether leasequery is on.
    @inline(never)
    private func leasequery(_ datagram: UnsafeRawBufferPointer, from address: IPv6Address, port: UInt16,
                            snapshot: ReservationSnapshot, reply: UnsafeMutableRawBufferPointer,
                            sink: inout WorkerSink) -> (length: Int, destination: SocketAddress)? {
        guard let state = sink.leasequeryV6 else { return nil }
        let data = V6LeasequeryData(snapshot: snapshot, lastServed: sink.lastServed, now: sink.servedAt,
                                    leases: engine.config.leases, state: state)
        let o = engine.leasequery(datagram: datagram, source: address, sourcePort: port, data: data, reply: reply)
        record(o, sink: &sink)
        guard let r = o.reply else { return nil }
        return (r.length, .v6(r.destination, port: r.port))
    }

    /// Records the served client's DUID and relay chain for leasequery (out of line, like the query path).
    @inline(never)
    private static func recordRelay(_ index: Int, _ clientID: InlineBytes?, _ datagram: UnsafeRawBufferPointer,
                                    _ relay: IPv6Address, _ state: V6LeasequeryState) {
        state.records.record(index, clientID: clientID, datagram: datagram, relay: relay)
    }

    /// Counts, logs and reports one leasequery (UDP or TCP).
    func record(_ o: LeasequeryOutcome, sink: inout WorkerSink) {
        sink.count(Self.counters.leasequery[tcp: o.transport == .tcp,
                                            o.rawQueryType.flatMap(LeasequeryQueryType.init(rawValue:)), o.result])
        let line = o.logLine
        if sink.logs(line.level.logger) { sink.log([line]) }
        sink.event { o.jsonLine(timestamp: $0) }
    }
}
