import ShadowCore

/// The DHCPv6 reply logic: a pure function of the reservation snapshot, the MAC→Option 82 binding
/// table, the configuration, the server identity and one received datagram.
///
/// Only relayed traffic is served: the datagram must be a Relay-forward (any depth up to 32). The
/// reply is a Relay-reply re-wrapping every level, written into the caller's buffer.
public struct DHCPv6Engine: Sendable {
    /// Configuration kept behind one reference so copying the engine costs one retain.
    final class State: Sendable {
        let config: ServerConfig
        let ids: ServerIdentifiers
        let serverID: [UInt8]

        init(config: ServerConfig, ids: ServerIdentifiers) {
            self.config = config
            self.ids = ids
            serverID = ids.v6.bytes
        }
    }

    let state: State

    public var config: ServerConfig { state.config }
    public var ids: ServerIdentifiers { state.ids }
    var serverID: [UInt8] { state.serverID }

    public init(config: ServerConfig, ids: ServerIdentifiers) {
        state = State(config: config, ids: ids)
    }

    /// Handles one datagram received from `source`:`sourcePort`.
    ///
    /// - Parameter reply: where the Relay-reply is written (4096 bytes is plenty for any reply to a
    ///   datagram of ordinary size; a reply that does not fit ends as `EncodeFailed`).
    /// - Returns: the reply length and destination, or why there is none, plus the event record.
    public func handle(datagram: UnsafeRawBufferPointer, source: IPv6Address, sourcePort: UInt16,
                       snapshot: ReservationSnapshot, bindings: BindingTable,
                       reply: UnsafeMutableRawBufferPointer) -> DHCPv6Outcome {
        var event = DHCPv6Event(relayAddress: source)
        var packet: DHCPv6Datagram
        do {
            packet = try DHCPv6Datagram.decodeRelays(datagram)
        } catch {
            return failure(.init(error), event: event, port: sourcePort, error: error)
        }
        let clientLinkLayer = packet.innermost.clientLinkLayerAddress.flatMap { MACExtractor.fromClientLinkLayer(datagram[$0]) }
        describeRelay(packet, clientLinkLayer, into: &event)
        do {
            let payload = packet.innermost.relayMessage ?? packet.innermost.end..<packet.innermost.end
            packet.client = try DHCPv6ClientMessage.decode(datagram, range: payload)
        } catch {
            if error.kind == .clientIDTooLong { describeHeader(datagram, error.messageOffset, into: &event) }
            return failure(.init(error), event: event, port: sourcePort, error: error)
        }
        describeClient(packet, into: &event)
        let decision = decide(packet, event: event, clientLinkLayer: clientLinkLayer, snapshot: snapshot,
                              bindings: bindings)
        if let match = decision.match {
            event.snapshot = snapshot
            event.reservationIndex = match.index
            event.matchMethod = match.method
            event.extractorUsed = match.extractor
        }
        guard var plan = decision.plan else {
            return failure(decision.reason ?? .discarded, event: event, port: sourcePort, error: nil, keepMatch: false)
        }
        if let index = event.reservationIndex {
            plan.reservedNA = snapshot.ipv6NA(at: index)
            plan.reservedPD = snapshot.ipv6PD(at: index)
        }
        return encode(plan, packet: packet, event: event, port: sourcePort, into: reply)
    }

    /// Writes the Relay-reply for `plan`.
    private func encode(_ plan: DHCPv6ReplyPlan, packet: DHCPv6Datagram, event: DHCPv6Event, port: UInt16,
                        into reply: UnsafeMutableRawBufferPointer) -> DHCPv6Outcome {
        var w = WireWriter(reply)
        let state = self.state
        RelayReplyEncoder.write(packet, into: &w) { inner in
            ReplyEncoder.write(plan, for: packet.client, source: packet.buffer, serverID: state.serverID,
                               leases: state.config.leases, dns: state.config.dnsV6, into: &inner)
        }
        guard !w.overflowed else {
            return failure(.encodeFailed, event: event, port: port, error: nil, keepMatch: true)
        }
        var event = event
        event.success = true
        let destinationPort = packet.outermost.hasRelaySourcePort ? port : DHCPv6Wire.serverPort
        return DHCPv6Outcome(action: .reply(length: w.position, destination: event.relayAddress, port: destinationPort),
                             event: event, replyType: plan.type, sourcePort: port, decodeError: nil)
    }

    private func failure(_ reason: DHCPv6NoReplyReason, event: DHCPv6Event, port: UInt16,
                         error: DHCPv6DecodeError?, keepMatch: Bool = false) -> DHCPv6Outcome {
        var event = event
        event.success = false
        event.failureReason = reason
        if !keepMatch {
            event.reservationIndex = nil
            event.snapshot = nil
            event.matchMethod = nil
            event.extractorUsed = nil
        }
        return DHCPv6Outcome(action: .noReply(reason), event: event, replyType: nil, sourcePort: port,
                             decodeError: error)
    }
}
