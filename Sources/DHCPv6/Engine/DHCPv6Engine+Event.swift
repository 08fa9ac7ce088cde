import ShadowCore

extension DHCPv6Engine {
    /// Relay fields of the event: the innermost level (adjacent to the client) describes the client.
    /// `clientLinkLayer` is the MAC in the innermost Option 79; the event's MAC comes from it only.
    func describeRelay(_ packet: DHCPv6Datagram, _ clientLinkLayer: MACAddress?, into event: inout DHCPv6Event) {
        let inner = packet.innermost
        event.relayLinkAddress = inner.linkAddress
        event.relayPeerAddress = inner.peerAddress
        event.macAddress = clientLinkLayer
        event.relayInterfaceID = inner.interfaceID.map { packet.buffer.inlineBytes($0) }
        event.relayRemoteID = inner.remoteID.map { packet.buffer.inlineBytes($0) }
    }

    /// Message type and xid of a client message whose options failed to decode.
    func describeHeader(_ buffer: UnsafeRawBufferPointer, _ offset: Int, into event: inout DHCPv6Event) {
        guard offset >= 0, buffer.count - offset >= DHCPv6Wire.clientHeaderLength else { return }
        event.messageType = buffer.u8(offset)
        event.transactionID = buffer.u24(offset + 1)
    }

    /// Client fields of the event.
    func describeClient(_ packet: DHCPv6Datagram, into event: inout DHCPv6Event) {
        let m = packet.client
        event.messageType = m.rawType
        event.transactionID = m.transactionID
        event.clientIDBytes = m.clientID.map { InlineBytes(UnsafeRawBufferPointer(rebasing: packet.buffer[$0])) }
        event.requestedNA = m.requestedNA
        event.requestedPD = m.requestedPD
    }
}
