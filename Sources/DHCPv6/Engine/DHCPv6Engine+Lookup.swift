import ShadowCore

/// One reservation lookup, run only when a handler needs it (behavior.md §5.8): DUID, Option 18/37
/// extractors, then each MAC extractor (reservation by MAC, else the learned MAC→Option 82 binding,
/// `lease_fallback`). The relay inputs (options 18, 37, 79 and the peer-address for EUI-64) come
/// from the innermost relay, adjacent to the client.
struct DHCPv6Lookup {
    let engine: DHCPv6Engine
    /// The innermost relay's peer-address (the client's link-local address).
    let peerAddress: IPv6Address
    let clientID: InlineBytes?
    /// The innermost relay's option 18 and 37 payloads, and the MAC in its option 79.
    let interfaceID: InlineBytes?
    let remoteID: InlineBytes?
    let clientLinkLayer: MACAddress?
    let snapshot: ReservationSnapshot
    let bindings: BindingTable

    func callAsFunction() -> ReservationMatch? {
        let config = engine.state.config
        // The Option 18/37 value is only built when an extractor will read it.
        var option1837: Option1837?
        if !config.option1837Extractors.isEmpty && (interfaceID != nil || remoteID != nil) {
            option1837 = DHCPv6Event.option1837(interfaceID: interfaceID, remoteID: remoteID)
        }
        // The client id is read where it lies (inline in the event), never copied into a DUID.
        func lookup(_ clientID: UnsafeRawBufferPointer?) -> ReservationMatch? {
            let macInput = MACExtractionInput(clientLinkLayerAddress: clientLinkLayer, peerAddress: peerAddress,
                                              clientIDAddress: clientID.flatMap { MACExtractor.fromDUID($0) })
            return snapshot.lookupV6(clientIDBytes: clientID, option1837: option1837,
                                     option1837Extractors: config.option1837Extractors,
                                     macInput: macInput, macExtractors: config.macExtractors, bindings: bindings)
        }
        guard let clientID else { return lookup(nil) }
        return clientID.withUnsafeBytes { lookup($0) }
    }
}
