import DHCPv4
import Logging
import ShadowCore
import ShadowSystem

/// DHCPv4 leasequery over UDP in the v4 worker (docs/leasequery.md): a DHCPLEASEQUERY the engine
/// did not answer (its type is not one the engine serves) is answered here, from the live snapshot,
/// its ``LeasequeryIndex``, this worker's last-served times and the binding table. A class, so
/// the packet handler holds one optional reference (copied with the handler per batch) rather
/// than the settings themselves.
final class V4Leasequery: Sendable {
    let settings: LeasequerySettings
    let responder: LeasequeryResponder
    let slots: LeasequeryCounterSlots

    init(settings: LeasequerySettings, responder: LeasequeryResponder, slots: LeasequeryCounterSlots) {
        self.settings = settings
        self.responder = responder
        self.slots = slots
    }

    /// What became of a datagram.
    enum Handled {
        /// Not a DHCPLEASEQUERY: the engine's outcome stands.
        case notLeasequery
        /// Answered (reply written) or dropped (nil), counted, logged and recorded.
        case handled((length: Int, destination: SocketAddress)?)
    }

    /// Answers `datagram` when it is a DHCPLEASEQUERY from an allowed querier.
    ///
    /// The querier (UDP source) and a non-zero `giaddr` must lie in `allowed`, else the query is
    /// dropped and counted (`NotAllowed`), never answered. The reply goes to `giaddr` — on the
    /// query's source port when the querier is `giaddr` itself, else on port 67 — and to the source
    /// address and port when `giaddr` is 0.
    /// Never inlined: the packet path keeps its code as it was without leasequery.
    @inline(never)
    func handle(_ datagram: UnsafeRawBufferPointer, source: IPv4Address, port: UInt16, state: LeasequeryState?,
                reply: UnsafeMutableRawBufferPointer, sink: inout WorkerSink) -> Handled {
        guard let m = try? DHCPv4Message(decoding: datagram),
              m.messageTypeCode == LeasequeryMessageType.leasequery.rawValue else { return .notLeasequery }
        let now = sink.servedAt
        let giaddr = m.giaddr
        let echo = LeasequeryEcho(m)
        var event = LeasequeryEvent(transport: "udp", querier: source, giaddr: giaddr == .any ? nil : giaddr,
                                    messageType: .leasequery, query: nil, value: nil, result: .unknown, leases: 0,
                                    reservation: nil, detail: nil)
        let query: LeasequeryQuery?
        var refusal: LeasequeryQuery.Refusal?
        do { query = try LeasequeryQuery(m, bulk: false) } catch { query = nil; refusal = error }
        event.query = query?.key.name
        event.value = query?.key.value
        defer { record(event, tcp: false, sink: &sink) }
        guard settings.allows(source), giaddr == .any || settings.allows(giaddr) else {
            event.result = .notAllowed
            return .handled(nil)
        }
        let length: Int?
        if let query, let state {
            let (result, lease) = responder.answer(query, state: state, now: now)
            event.result = result
            event.reservation = lease?.address
            event.leases = result == .active ? 1 : 0
            let type: LeasequeryMessageType = switch result {
            case .active: .leaseActive
            case .unassigned: .leaseUnassigned
            default: .leaseUnknown
            }
            let associated: Bool
            if case .address = query.key { associated = false } else { associated = query.wantsAssociatedIP }
            length = responder.encode(type, lease: lease, echo: echo, now: now, associatedIP: associated,
                                      padded: true, into: reply)
        } else {
            // Malformed, or no snapshot index yet (the worker serves nothing before its snapshot).
            let why = refusal ?? LeasequeryQuery.Refusal(status: .unspecFail, message: "leasequery index not ready")
            event.result = refusal == nil ? .unknown : why.status == .notAllowed ? .notAllowed : .malformedQuery
            event.detail = why.message
            length = responder.encode(.leaseUnknown, lease: nil, echo: echo, now: now, status: (why.status, why.message),
                                      padded: true, into: reply)
        }
        guard let length else { return .handled(nil) }
        let destination: SocketAddress = giaddr == .any || giaddr == source
            ? .v4(source, port: port) : .v4(giaddr, port: BOOTP.serverPort)
        return .handled((length, destination))
    }

    /// Counts, logs and records one query.
    func record(_ event: LeasequeryEvent, tcp: Bool, sink: inout WorkerSink) {
        sink.count(slots.slot(tcp: tcp, query: event.query, result: event.result))
        let line = event.logLine
        if sink.logs(line.level.logger) { sink.log([line]) }
        sink.event { event.jsonLine(timestampKey: "timestamp_ms", timestamp: $0) }
    }
}
