/// The three ways to find a client's MAC in a relayed DHCPv6 message (docs/configuration.md).
public enum MACExtractor: String, CaseIterable, Sendable, Hashable {
    case clientLinklayerAddress = "client_linklayer_address"
    case peerAddrEUI64 = "peer_addr_eui64"
    case duid = "duid"

    public var name: String { rawValue }

    /// Accepts the snake_case names and the seed docs' PascalCase ones.
    public init?(configName: String) {
        if let e = MACExtractor(rawValue: configName) { self = e; return }
        switch configName {
        case "ClientLinklayerAddress": self = .clientLinklayerAddress
        case "PeerAddrEui64": self = .peerAddrEUI64
        case "Duid": self = .duid
        default: return nil
        }
    }

    /// The PascalCase spelling of the seed documentation.
    public var pascalCaseName: String {
        switch self {
        case .clientLinklayerAddress: "ClientLinklayerAddress"
        case .peerAddrEUI64: "PeerAddrEui64"
        case .duid: "Duid"
        }
    }

    /// Runs this extractor over the relevant parts of a Relay-forward.
    public func extract(_ input: MACExtractionInput) -> MACAddress? {
        switch self {
        case .clientLinklayerAddress:
            return input.clientLinkLayerAddress
        case .peerAddrEUI64:
            return MACExtractor.fromEUI64(input.peerAddress)
        case .duid:
            return input.clientIDAddress
        }
    }

    /// Option 79 payload: 2-byte link-layer type (not checked) and an address that must be 6 bytes.
    @inlinable public static func fromClientLinkLayer<C: Collection>(_ payload: C) -> MACAddress? where C.Element == UInt8 {
        guard payload.count == 8 else { return nil }
        return MACAddress(bytes: payload.dropFirst(2))
    }

    /// A link-local (fe80::/10) address whose interface id has `ff:fe` in the middle; the
    /// universal/local bit is flipped back.
    @inlinable public static func fromEUI64(_ a: IPv6Address) -> MACAddress? {
        guard a.isLinkLocal, a[byte: 11] == 0xFF, a[byte: 12] == 0xFE else { return nil }
        // Bytes 8, 9, 10 and 13, 14, 15 of the address, without building an array.
        let value = (a.low >> 40 & 0xFF_FFFF) << 24 | a.low & 0xFF_FFFF
        return MACAddress(value: value ^ 0x0200_0000_0000)
    }

    /// DUID-LLT (type 1, ≥ 14 bytes, MAC at 8..<14) or DUID-LL (type 3, ≥ 10 bytes, MAC at 4..<10),
    /// hardware type 1 (Ethernet) only.
    @inlinable public static func fromDUID<C: Collection>(_ id: C) -> MACAddress? where C.Element == UInt8, C.Index == Int {
        guard id.count >= 4 else { return nil }
        let s = id.startIndex
        let type = UInt16(id[s]) << 8 | UInt16(id[s + 1])
        let htype = UInt16(id[s + 2]) << 8 | UInt16(id[s + 3])
        guard htype == 1 else { return nil }
        switch type {
        case 1 where id.count >= 14: return MACAddress(bytes: id[(s + 8)..<(s + 14)])
        case 3 where id.count >= 10: return MACAddress(bytes: id[(s + 4)..<(s + 10)])
        default: return nil
        }
    }
}

/// What the MAC extractors read from a Relay-forward.
public struct MACExtractionInput: Sendable {
    /// The address in the first Client Link-Layer Address option (79): nil without the option or
    /// when its payload is not a 2-byte link-layer type and a 6-byte address
    /// (``MACExtractor/fromClientLinkLayer(_:)``).
    public var clientLinkLayerAddress: MACAddress?
    /// The Relay-forward's peer-address.
    public var peerAddress: IPv6Address
    /// The MAC in the client's Client Identifier (option 1) when it is a DUID-LLT or DUID-LL of an
    /// Ethernet address (``MACExtractor/fromDUID(_:)``), nil otherwise or without one.
    public var clientIDAddress: MACAddress?

    /// With both addresses already read from the datagram (no copy of either payload).
    public init(clientLinkLayerAddress: MACAddress?, peerAddress: IPv6Address, clientIDAddress: MACAddress?) {
        self.clientLinkLayerAddress = clientLinkLayerAddress
        self.peerAddress = peerAddress
        self.clientIDAddress = clientIDAddress
    }

    /// With option 79's address already read from the datagram and the Client Identifier's bytes.
    public init(clientLinkLayerAddress: MACAddress?, peerAddress: IPv6Address, clientID: [UInt8]?) {
        self.init(clientLinkLayerAddress: clientLinkLayerAddress, peerAddress: peerAddress,
                  clientIDAddress: clientID.flatMap { MACExtractor.fromDUID($0) })
    }

    /// With option 79's payload as on the wire.
    public init(clientLinkLayerOption: [UInt8]?, peerAddress: IPv6Address, clientID: [UInt8]?) {
        self.init(clientLinkLayerAddress: clientLinkLayerOption.flatMap { MACExtractor.fromClientLinkLayer($0) },
                  peerAddress: peerAddress, clientID: clientID)
    }
}
