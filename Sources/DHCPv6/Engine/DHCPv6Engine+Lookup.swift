import ShadowCore

extension DHCPv6Engine {
    /// behavior.md §5.8: DUID, Option 18/37 extractors, then each MAC extractor (reservation by MAC,
    /// else the learned MAC→Option 82 binding, `lease_fallback`). The relay inputs (options 18, 37,
    /// 79 and the peer-address for EUI-64) come from the innermost relay, adjacent to the client.
    func lookup(_ packet: DHCPv6Datagram, clientID: DUID?, snapshot: ReservationSnapshot,
                bindings: BindingTable) -> ReservationMatch? {
        let inner = packet.innermost
        var clientLinkLayer: [UInt8]?
        if let range = inner.clientLinkLayerAddress, config.macExtractors.contains(.clientLinklayerAddress) {
            clientLinkLayer = packet.buffer.bytes(range)
        }
        let macInput = MACExtractionInput(clientLinkLayerOption: clientLinkLayer, peerAddress: inner.peerAddress,
                                          clientID: clientID?.bytes)
        return snapshot.lookupV6(clientID: clientID, option1837: relayIdentifiers(packet),
                                 option1837Extractors: config.option1837Extractors,
                                 macInput: macInput, macExtractors: config.macExtractors, bindings: bindings)
    }
}
