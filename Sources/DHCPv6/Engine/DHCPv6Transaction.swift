import ShadowCore

/// One datagram being handled: the decoded relay chain and client message, and what every outcome
/// reports about it. The lookup reads its inputs here, in place in the datagram; the event is
/// written once, in place in the outcome, from the decision (``replied(_:type:match:snapshot:)``,
/// ``noReply(_:)``).
struct DHCPv6Transaction: ~Copyable {
    /// The relay chain; the client message is filled in by ``decodeClient()``.
    private(set) var packet: DHCPv6Datagram
    /// The datagram's UDP source (the outermost relay).
    let source: IPv6Address
    let sourcePort: UInt16
    /// The MAC in the innermost relay's Option 79 (the event's MAC comes from it only).
    let clientLinkLayer: MACAddress?
    /// ``SnapshotLayout/duidHash(_:)`` of the Client Identifier, made by ``decodeClient()``
    /// once: the lookup probes with it and the event carries it (the worker's storm control keys
    /// the client's bucket with it).
    private(set) var clientIDHash: UInt64?

    /// Inlined, like the event's initialiser: the decoded relay chain goes straight into place.
    @inline(__always)
    init(packet: DHCPv6Datagram, source: IPv6Address, sourcePort: UInt16) {
        self.packet = packet
        self.source = source
        self.sourcePort = sourcePort
        clientLinkLayer = packet.innermost.clientLinkLayerAddress
            .flatMap { MACExtractor.fromClientLinkLayer(packet.buffer[$0]) }
    }

    /// Decodes the client message inside the innermost relay, in place.
    mutating func decodeClient() throws(DHCPv6DecodeError) {
        let payload = packet.innermost.relayMessage ?? packet.innermost.end..<packet.innermost.end
        packet.client = try DHCPv6ClientMessage.decode(packet.buffer, range: payload)
        clientIDHash = packet.client.clientID.map { SnapshotLayout.duidHash(UnsafeRawBufferPointer(rebasing: packet.buffer[$0])) }
    }

    var message: DHCPv6ClientMessage { packet.client }
    var buffer: UnsafeRawBufferPointer { packet.buffer }

    /// The reservation for the client (docs/dhcpv6.md): ShadowCore's `lookupV6`, its inputs read
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
        return snapshot.lookupV6(clientIDBytes: clientID, clientIDHash: clientIDHash, option1837: option1837,
                                 option1837Extractors: config.option1837Extractors,
                                 macInput: macInput, macExtractors: config.macExtractors, bindings: bindings)
    }

    // MARK: outcomes

    /// The outcome, its event written in place: relay and client fields, then the result. A match
    /// is reported only with `snapshot`.
    @inline(__always)
    private func outcome(_ action: DHCPv6Outcome.Action, success: Bool, reason: DHCPv6NoReplyReason?,
                         match: ReservationMatch?, snapshot: ReservationSnapshot?,
                         replyType: DHCPv6MessageType?) -> DHCPv6Outcome {
        var o = DHCPv6Outcome(action: action, event: DHCPv6Event(relayAddress: source), replyType: replyType,
                              sourcePort: sourcePort, decodeError: nil)
        describeRelay(into: &o.event)
        let m = packet.client
        o.event.messageType = m.rawType
        o.event.transactionID = m.transactionID
        o.event.clientIDBytes = m.clientID.map { InlineBytes(UnsafeRawBufferPointer(rebasing: packet.buffer[$0])) }
        o.event.clientIDHash = clientIDHash
        o.event.requestedNA = m.requestedNA
        o.event.requestedPD = m.requestedPD
        if let match, let snapshot {
            o.event.match = match
            o.event.snapshot = snapshot
        }
        o.event.success = success
        o.event.failureReason = reason
        return o
    }

    /// The relay fields of the event, from the innermost level (it describes the client).
    private func describeRelay(into e: inout DHCPv6Event) {
        let inner = packet.innermost
        e.relayLinkAddress = inner.linkAddress
        e.relayPeerAddress = inner.peerAddress
        e.mac = clientLinkLayer
        e.relayInterfaceID = inner.interfaceID.map { packet.buffer.inlineBytes($0) }
        e.relayRemoteID = inner.remoteID.map { packet.buffer.inlineBytes($0) }
    }

    /// A Relay-reply of `length` bytes written into the caller's buffer.
    @inline(__always)
    func replied(_ action: DHCPv6Outcome.Action, type: DHCPv6MessageType, match: ReservationMatch?,
                 snapshot: ReservationSnapshot) -> DHCPv6Outcome {
        outcome(action, success: true, reason: nil, match: match, snapshot: snapshot, replyType: type)
    }

    /// No reply; as docs/events.md asks, the event carries no reservation or match.
    @inline(__always)
    func noReply(_ reason: DHCPv6NoReplyReason) -> DHCPv6Outcome {
        outcome(.noReply(reason), success: false, reason: reason, match: nil, snapshot: nil, replyType: nil)
    }

    /// A reply was decided but did not fit: the event keeps the reservation and match.
    @inline(__always)
    func encodeFailed(match: ReservationMatch?, snapshot: ReservationSnapshot) -> DHCPv6Outcome {
        outcome(.noReply(.encodeFailed), success: false, reason: .encodeFailed, match: match, snapshot: snapshot,
                replyType: nil)
    }

    /// The relay chain decoded but the client message did not: the event has the relay fields, and
    /// for a too long Client Identifier the message type and xid from the header.
    func undecodableClient(_ error: DHCPv6DecodeError) -> DHCPv6Outcome {
        let reason = DHCPv6NoReplyReason(error)
        var o = DHCPv6Outcome(action: .noReply(reason), event: DHCPv6Event(relayAddress: source), replyType: nil,
                              sourcePort: sourcePort, decodeError: error)
        describeRelay(into: &o.event)
        let buffer = packet.buffer, offset = error.messageOffset
        if error.kind == .clientIDTooLong, offset >= 0, buffer.count - offset >= DHCPv6Wire.clientHeaderLength {
            o.event.messageType = buffer.u8(offset)
            o.event.transactionID = buffer.u24(offset + 1)
        }
        o.event.failureReason = reason
        return o
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

