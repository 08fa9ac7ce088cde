/// The DHCPv6 lookup (docs/dhcpv6.md), the one implementation behind the DHCPv6 engine and the
/// management `lookup` (and the coming `explain` and leasequery). Every input is read in place: the
/// Client Identifier as the bytes of option 1, the MACs as ``MACExtractionInput``.
extension ReservationSnapshot {
    /// The DHCPv6 lookup order: DUID; Option 18/37 extractors; then for each MAC extractor in turn
    /// the reservation with that MAC, else the learned MAC→Option 82 binding (`lease_fallback`).
    public func lookupV6(clientID: DUID?, option1837: Option1837?,
                         option1837Extractors: [Option1837Extractor],
                         macInput: MACExtractionInput, macExtractors: [MACExtractor],
                         bindings: BindingTable) -> ReservationMatch? {
        guard let clientID else {
            return lookupV6(clientIDBytes: nil, option1837: option1837, option1837Extractors: option1837Extractors,
                            macInput: macInput, macExtractors: macExtractors, bindings: bindings)
        }
        return clientID.bytes.withUnsafeBytes { bytes in
            lookupV6(clientIDBytes: bytes, option1837: option1837, option1837Extractors: option1837Extractors,
                     macInput: macInput, macExtractors: macExtractors, bindings: bindings)
        }
    }

    /// ``lookupV6(clientID:option1837:option1837Extractors:macInput:macExtractors:bindings:)`` with
    /// the Client Identifier as the bytes of option 1 (no DUID value is made), and optionally their
    /// ``SnapshotLayout/duidHash(_:)`` (computed here when not given).
    public func lookupV6(clientIDBytes: UnsafeRawBufferPointer?, clientIDHash: UInt64? = nil, option1837: Option1837?,
                         option1837Extractors: [Option1837Extractor],
                         macInput: MACExtractionInput, macExtractors: [MACExtractor],
                         bindings: BindingTable) -> ReservationMatch? {
        if let clientIDBytes,
           let i = index(duidBytes: clientIDBytes, hash: clientIDHash ?? SnapshotLayout.duidHash(clientIDBytes)) {
            return ReservationMatch(index: i, method: .duid, extractor: nil)
        }
        if let option1837, let match = matchV6(option1837: option1837, extractors: option1837Extractors) {
            return match
        }
        for e in macExtractors {
            guard let mac = e.extract(macInput) else { continue }
            if let match = matchV6(mac: mac, extractor: e.name, learnedOption82: bindings.option82(for: mac)) {
                return match
            }
        }
        return nil
    }

    /// The reservation whose DUID is exactly `clientIDBytes` (method `duid`, no extractor).
    public func matchV6(clientIDBytes: UnsafeRawBufferPointer) -> ReservationMatch? {
        index(duidBytes: clientIDBytes).map { ReservationMatch(index: $0, method: .duid, extractor: nil) }
    }

    /// The first of `extractors` whose key from `option1837` is reserved (method `option1837`).
    public func matchV6(option1837: Option1837, extractors: [Option1837Extractor]) -> ReservationMatch? {
        for e in extractors {
            if let key = e.extract(option1837), let i = index(option1837: key) {
                return ReservationMatch(index: i, method: .option1837, extractor: e.name)
            }
        }
        return nil
    }

    /// One MAC step: the reservation with `mac` (method `mac`, named `extractor`), else the one whose
    /// Option 82 is `mac`'s learned binding (method `option82`, extractor `lease_fallback`).
    /// `learnedOption82` is read only when no reservation has `mac`.
    public func matchV6(mac: MACAddress, extractor: String?,
                        learnedOption82: @autoclosure () -> Option82?) -> ReservationMatch? {
        if let i = index(mac: mac) {
            return ReservationMatch(index: i, method: .mac, extractor: extractor)
        }
        if let o82 = learnedOption82(), let i = index(option82: o82) {
            return ReservationMatch(index: i, method: .option82, extractor: "lease_fallback")
        }
        return nil
    }
}
