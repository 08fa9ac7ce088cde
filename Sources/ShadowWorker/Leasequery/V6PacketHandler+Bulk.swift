import DHCPv6
import ShadowCore

extension V6PacketHandler {
    /// Decides the answer to one LEASEQUERY frame (without its 2-byte length) received on a bulk
    /// leasequery TCP connection from `querier`:`port` (docs/leasequery.md, "DHCPv6 bulk"), and
    /// counts, logs and reports it as a `leasequery` event like a UDP query. The connection takes
    /// the answer's messages one at a time (``LeasequeryBulkAnswer/message(_:into:)``). Nil without
    /// `leasequery.bulk` enabled: close the connection unanswered.
    public func prepareBulk(_ frame: UnsafeRawBufferPointer, from querier: IPv6Address, port: UInt16,
                            snapshot: ReservationSnapshot, sink: inout WorkerSink) -> LeasequeryBulkAnswer? {
        guard let settings = engine.config.leasequery, settings.bulk, let state = sink.leasequeryV6 else { return nil }
        let data = V6LeasequeryData(snapshot: snapshot, lastServed: sink.lastServed, now: sink.servedAt,
                                    leases: engine.config.leases, state: state)
        let answer = LeasequeryBulkResponder.prepare(frame, querier: querier, port: port, allowed: settings.allows(querier),
                                                     serverID: engine.ids.v6.bytes, data: data)
        record(answer.outcome, sink: &sink)
        return answer
    }

    /// ``prepareBulk(_:from:port:snapshot:sink:)`` with every message at once through `emit`
    /// (each written in `buffer`, valid only during the call). Returns whether the connection stays
    /// open.
    public func answerBulk(_ frame: UnsafeRawBufferPointer, from querier: IPv6Address, port: UInt16,
                           snapshot: ReservationSnapshot, buffer: UnsafeMutableRawBufferPointer, sink: inout WorkerSink,
                           emit: (UnsafeRawBufferPointer) -> Void) -> LeasequeryBulkResponder.Disposition {
        guard let answer = prepareBulk(frame, from: querier, port: port, snapshot: snapshot, sink: &sink) else { return .close }
        for i in 0..<answer.messageCount {
            if let n = answer.message(i, into: buffer) { emit(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
        }
        return answer.disposition
    }
}
