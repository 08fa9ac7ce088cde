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

extension V6PacketHandler {
    /// The bulk leasequery TCP machinery's entry (``PacketHandler/bulkAnswer(_:from:snapshot:bindings:sink:)``):
    /// the answer as a stream the connection drains; nil closes the connection (a frame that is not
    /// a LEASEQUERY, or bulk not enabled).
    public func bulkAnswer(_ query: UnsafeRawBufferPointer, from peer: SocketAddress, snapshot: ReservationSnapshot,
                           bindings: BindingTable, sink: inout WorkerSink) -> (any BulkReplyStream)? {
        guard case .v6(let address, let port) = peer,
              let answer = prepareBulk(query, from: address, port: port, snapshot: snapshot, sink: &sink),
              answer.disposition == .keepOpen || answer.messageCount > 0 else { return nil }
        return V6BulkReplies(answer)
    }
}

/// The messages of one DHCPv6 bulk answer, encoded one at a time as the connection takes them. The
/// bindings were copied out when the query came, so a snapshot swapped meanwhile changes nothing
/// in the answer.
final class V6BulkReplies: BulkReplyStream {
    private let answer: LeasequeryBulkAnswer
    private var next = 0
    private var buffer = [UInt8](repeating: 0, count: 65_535)

    init(_ answer: LeasequeryBulkAnswer) { self.answer = answer }

    func next(_ emit: (UnsafeRawBufferPointer) -> Void) -> Bool {
        while next < answer.messageCount {
            let i = next
            next += 1
            let written = buffer.withUnsafeMutableBytes { out -> Bool in
                guard let n = answer.message(i, into: out) else { return false }
                emit(UnsafeRawBufferPointer(rebasing: out[0..<n]))
                return true
            }
            if written { break }  // a message that does not fit is skipped
        }
        return next < answer.messageCount
    }
}
