import DHCPv4
import ShadowCore
import ShadowSystem

extension V4Leasequery {
    /// Answers one message received over TCP (RFC 6926): a DHCPBULKLEASEQUERY streams a
    /// DHCPLEASEACTIVE per active lease in ascending address order, then DHCPLEASEQUERYDONE; a
    /// DHCPLEASEQUERY gets its one RFC 4388 reply (unpadded). A refused query gets
    /// DHCPLEASEQUERYDONE (DHCPLEASEUNKNOWN for a DHCPLEASEQUERY) with dhcp-status-code:
    /// MalformedQuery, NotAllowed (a `giaddr` outside `allowed`, relay-id, all addresses, VPN).
    /// nil — the connection is closed — for a message that is not DHCPv4 at all or neither type.
    func bulkAnswer(_ query: UnsafeRawBufferPointer, from peer: SocketAddress, state: LeasequeryState?,
                    sink: inout WorkerSink) -> (any BulkReplyStream)? {
        guard case .v4(let source, _) = peer, let m = try? DHCPv4Message(decoding: query),
              let code = m.messageTypeCode,
              code == LeasequeryMessageType.leasequery.rawValue || code == LeasequeryMessageType.bulkLeasequery.rawValue
        else { return nil }
        let bulk = code == LeasequeryMessageType.bulkLeasequery.rawValue
        let now = sink.servedAt
        let echo = LeasequeryEcho(m)
        let giaddr = m.giaddr
        var event = LeasequeryEvent(transport: "tcp", querier: source, giaddr: giaddr == .any ? nil : giaddr,
                                    messageType: bulk ? .bulkLeasequery : .leasequery, query: nil, value: nil,
                                    result: .unknown, leases: 0, reservation: nil, detail: nil)
        defer { record(event, tcp: true, sink: &sink) }
        let refusalType: LeasequeryMessageType = bulk ? .leasequeryDone : .leaseUnknown
        func refuse(_ why: LeasequeryQuery.Refusal) -> (any BulkReplyStream)? {
            event.result = why.status == .notAllowed ? .notAllowed : .malformedQuery
            event.detail = why.message
            return EncodedReplies(encode(refusalType, nil, echo, now, status: (why.status, why.message)).map { [$0] } ?? [])
        }
        let q: LeasequeryQuery
        do { q = try LeasequeryQuery(m, bulk: bulk) } catch { return refuse(error) }
        event.query = q.key.name
        event.value = q.key.value
        guard giaddr == .any || settings.allows(giaddr) else {
            return refuse(.init(status: .notAllowed, message: "giaddr \(giaddr) is not allowed"))
        }
        guard let state else { return refuse(.init(status: .unspecFail, message: "leasequery index not ready")) }
        if !bulk {
            let (result, lease) = responder.answer(q, state: state, now: now)
            event.result = result
            event.reservation = lease?.address
            event.leases = result == .active ? 1 : 0
            let type: LeasequeryMessageType = result == .active ? .leaseActive
                : result == .unassigned ? .leaseUnassigned : .leaseUnknown
            var associated = q.wantsAssociatedIP
            if case .address = q.key { associated = false }
            return EncodedReplies(encode(type, lease, echo, now, associatedIP: associated).map { [$0] } ?? [])
        }
        let leases: [LeasequeryLease]
        do { leases = try responder.bulk(q, state: state, now: now) } catch { return refuse(error) }
        event.result = leases.isEmpty ? .unknown : .active
        event.leases = leases.count
        return V4BulkReplies(responder: responder, leases: leases, echo: echo, now: now)
    }

    private func encode(_ type: LeasequeryMessageType, _ lease: LeasequeryLease?, _ echo: LeasequeryEcho, _ now: UInt32,
                        associatedIP: Bool = false, status: (LeasequeryStatus, String)? = nil) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 1500)
        guard let n = out.withUnsafeMutableBytes({
            responder.encode(type, lease: lease, echo: echo, now: now, associatedIP: associatedIP, status: status,
                             padded: false, into: $0)
        }) else { return nil }
        return Array(out[0..<n])
    }
}

/// The replies to one DHCPBULKLEASEQUERY: a DHCPLEASEACTIVE (with base-time) per lease, in the
/// order given (ascending address), then DHCPLEASEQUERYDONE; encoded one at a time as the
/// connection takes them. The leases were copied out when the query came, so a snapshot swapped
/// meanwhile changes nothing in the answer.
final class V4BulkReplies: BulkReplyStream {
    private let responder: LeasequeryResponder
    private let leases: [LeasequeryLease]
    private let echo: LeasequeryEcho
    private let now: UInt32
    private var next = 0
    private var buffer = [UInt8](repeating: 0, count: 1500)

    init(responder: LeasequeryResponder, leases: [LeasequeryLease], echo: LeasequeryEcho, now: UInt32) {
        self.responder = responder
        self.leases = leases
        self.echo = echo
        self.now = now
    }

    func next(_ emit: (UnsafeRawBufferPointer) -> Void) -> Bool {
        let type: LeasequeryMessageType = next < leases.count ? .leaseActive : .leasequeryDone
        let lease = next < leases.count ? leases[next] : nil
        next += 1
        buffer.withUnsafeMutableBytes { out in
            if let n = responder.encode(type, lease: lease, echo: echo, now: now, baseTime: type == .leaseActive,
                                        padded: false, into: out) {
                emit(UnsafeRawBufferPointer(rebasing: out[0..<n]))
            }
        }
        return next <= leases.count
    }
}
