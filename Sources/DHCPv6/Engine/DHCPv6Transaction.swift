import ShadowCore

/// One datagram being handled: the decoded relay chain and client message, and what every outcome
/// reports about it. The lookup reads its inputs here, in place in the datagram; the event is
/// written once, from the decision (``replied(_:type:match:snapshot:)``, ``noReply(_:)``).
struct DHCPv6Transaction: ~Copyable {
    let packet: DHCPv6Datagram
    /// The datagram's UDP source (the outermost relay).
    let source: IPv6Address
    let sourcePort: UInt16
    /// The MAC in the innermost relay's Option 79 (the event's MAC comes from it only).
    let clientLinkLayer: MACAddress?

    init(packet: DHCPv6Datagram, source: IPv6Address, sourcePort: UInt16) {
        self.packet = packet
        self.source = source
        self.sourcePort = sourcePort
        clientLinkLayer = packet.innermost.clientLinkLayerAddress
            .flatMap { MACExtractor.fromClientLinkLayer(packet.buffer[$0]) }
    }

    var message: DHCPv6ClientMessage { packet.client }
    var buffer: UnsafeRawBufferPointer { packet.buffer }

    /// The reservation for the client (behavior.md §5.8): ShadowCore's `lookupV6`, its inputs read
    /// from the innermost relay (adjacent to the client) and the client message where they lie. The
    /// Option 18/37 value is only built when an extractor will read it.
    func lookup(_ config: ServerConfig, snapshot: ReservationSnapshot, bindings: BindingTable) -> ReservationMatch? {
        let inner = packet.innermost
        let buffer = packet.buffer
        var option1837: Option1837?
        if !config.option1837Extractors.isEmpty && (inner.interfaceID != nil || inner.remoteID != nil) {
            option1837 = Option1837(wireInterfaceID: inner.interfaceID.map { UnsafeRawBufferPointer(rebasing: buffer[$0]) },
                                    wireRemoteID: inner.remoteID.map { UnsafeRawBufferPointer(rebasing: buffer[$0]) })
        }
        let clientID = packet.client.clientID.map { UnsafeRawBufferPointer(rebasing: buffer[$0]) }
        let macInput = MACExtractionInput(clientLinkLayerAddress: clientLinkLayer, peerAddress: inner.peerAddress,
                                          clientIDAddress: clientID.flatMap { MACExtractor.fromDUID($0) })
        return snapshot.lookupV6(clientIDBytes: clientID, option1837: option1837,
                                 option1837Extractors: config.option1837Extractors,
                                 macInput: macInput, macExtractors: config.macExtractors, bindings: bindings)
    }

    // MARK: outcomes

    /// The event for this datagram with the given result.
    func event(success: Bool, reason: DHCPv6NoReplyReason?, match: ReservationMatch?,
               snapshot: ReservationSnapshot?) -> DHCPv6Event {
        var e = relayEvent()
        let m = packet.client
        e.messageType = m.rawType
        e.transactionID = m.transactionID
        e.clientIDBytes = m.clientID.map { InlineBytes(UnsafeRawBufferPointer(rebasing: packet.buffer[$0])) }
        e.requestedNA = m.requestedNA
        e.requestedPD = m.requestedPD
        if let match {
            e.match = match
            e.snapshot = snapshot
        }
        e.success = success
        e.failureReason = reason
        return e
    }

    /// The relay fields of the event, from the innermost level (it describes the client).
    private func relayEvent() -> DHCPv6Event {
        let inner = packet.innermost
        var e = DHCPv6Event(relayAddress: source)
        e.relayLinkAddress = inner.linkAddress
        e.relayPeerAddress = inner.peerAddress
        e.mac = clientLinkLayer
        e.relayInterfaceID = inner.interfaceID.map { packet.buffer.inlineBytes($0) }
        e.relayRemoteID = inner.remoteID.map { packet.buffer.inlineBytes($0) }
        return e
    }

    /// A Relay-reply of `length` bytes written into the caller's buffer.
    func replied(_ action: DHCPv6Outcome.Action, type: DHCPv6MessageType, match: ReservationMatch?,
                 snapshot: ReservationSnapshot) -> DHCPv6Outcome {
        DHCPv6Outcome(action: action, event: event(success: true, reason: nil, match: match, snapshot: snapshot),
                      replyType: type, sourcePort: sourcePort, decodeError: nil)
    }

    /// No reply; as behavior.md §9.2 asks, the event carries no reservation or match.
    func noReply(_ reason: DHCPv6NoReplyReason) -> DHCPv6Outcome {
        DHCPv6Outcome(action: .noReply(reason), event: event(success: false, reason: reason, match: nil, snapshot: nil),
                      replyType: nil, sourcePort: sourcePort, decodeError: nil)
    }

    /// A reply was decided but did not fit: the event keeps the reservation and match.
    func encodeFailed(match: ReservationMatch?, snapshot: ReservationSnapshot) -> DHCPv6Outcome {
        let event = event(success: false, reason: .encodeFailed, match: match, snapshot: snapshot)
        return DHCPv6Outcome(action: .noReply(.encodeFailed), event: event, replyType: nil, sourcePort: sourcePort,
                             decodeError: nil)
    }

    /// The relay chain decoded but the client message did not: the event has the relay fields, and
    /// for a too long Client Identifier the message type and xid from the header.
    func undecodableClient(_ error: DHCPv6DecodeError) -> DHCPv6Outcome {
        let reason = DHCPv6NoReplyReason(error)
        var e = relayEvent()
        let buffer = packet.buffer, offset = error.messageOffset
        if error.kind == .clientIDTooLong, offset >= 0, buffer.count - offset >= DHCPv6Wire.clientHeaderLength {
            e.messageType = buffer.u8(offset)
            e.transactionID = buffer.u24(offset + 1)
        }
        e.failureReason = reason
        return DHCPv6Outcome(action: .noReply(reason), event: e, replyType: nil, sourcePort: sourcePort,
                             decodeError: error)
    }

    /// An undecodable relay chain: every field but `relay_addr` empty.
    static func undecodable(_ error: DHCPv6DecodeError, source: IPv6Address, sourcePort: UInt16) -> DHCPv6Outcome {
        let reason = DHCPv6NoReplyReason(error)
        var e = DHCPv6Event(relayAddress: source)
        e.failureReason = reason
        return DHCPv6Outcome(action: .noReply(reason), event: e, replyType: nil, sourcePort: sourcePort,
                             decodeError: error)
    }
}
