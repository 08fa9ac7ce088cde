import ShadowCore

extension DHCPv6Engine {
    /// Relay fields of the event: the innermost level (adjacent to the client) describes the client.
    func describeRelay(_ packet: DHCPv6Datagram, into event: inout DHCPv6Event) {
        let inner = packet.innermost
        let buffer = packet.buffer
        event.relayLinkAddress = inner.linkAddress
        event.relayPeerAddress = inner.peerAddress
        if let clientLinkLayer = inner.clientLinkLayerAddress {
            event.macAddress = MACExtractor.fromClientLinkLayer(buffer[clientLinkLayer])
        }
        if let o = relayIdentifiers(packet) {
            event.option1837Interface = o.interface
            event.option1837Remote = o.remote
        }
    }

    /// Option 18/37 of the innermost Relay-forward as a lookup value.
    func relayIdentifiers(_ packet: DHCPv6Datagram) -> Option1837? {
        let inner = packet.innermost
        guard inner.interfaceID != nil || inner.remoteID != nil else { return nil }
        let buffer = packet.buffer
        return Option1837(wireInterfaceID: inner.interfaceID.map { buffer[$0] },
                          wireRemoteID: inner.remoteID.map { buffer[$0] })
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
        event.clientID = m.clientID.map { DUID(bytes: packet.buffer.bytes($0)) }
        event.requestedNA = m.requestedNA
        event.requestedPD = m.requestedPD
    }
}
