import DHCPv6
import ShadowCore

extension V6PacketHandler {
    /// Answers one LEASEQUERY frame (without its 2-byte length) received on a bulk leasequery TCP
    /// connection from `querier`:`port` (docs/leasequery.md, "DHCPv6 bulk"), calling `emit` with
    /// each reply message in order; counted, logged and reported as a `leasequery` event like a
    /// UDP query. Returns whether the connection stays open. Without `leasequery` (or `bulk`)
    /// enabled the connection is closed unanswered.
    public func answerBulk(_ frame: UnsafeRawBufferPointer, from querier: IPv6Address, port: UInt16,
                           snapshot: ReservationSnapshot, buffer: UnsafeMutableRawBufferPointer, sink: inout WorkerSink,
                           emit: (UnsafeRawBufferPointer) -> Void) -> LeasequeryBulkResponder.Disposition {
        guard let settings = engine.config.leasequery, settings.bulk, let state = sink.leasequeryV6 else { return .close }
        let data = V6LeasequeryData(snapshot: snapshot, lastServed: sink.lastServed, now: sink.servedAt,
                                    leases: engine.config.leases, state: state)
        let (o, disposition) = LeasequeryBulkResponder.answer(frame, querier: querier, port: port,
                                                              allowed: settings.allows(querier),
                                                              serverID: engine.ids.v6.bytes, data: data, buffer: buffer,
                                                              emit: emit)
        record(o, sink: &sink)
        return disposition
    }
}
