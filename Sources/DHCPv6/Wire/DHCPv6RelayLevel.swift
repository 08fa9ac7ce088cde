import ShadowCore

/// One Relay-forward (or Relay-reply) level of a datagram, decoded in place: fixed fields copied,
/// options recorded as byte ranges of the datagram.
public struct DHCPv6RelayLevel: Hashable, Sendable {
    /// Offset of this level's msg-type byte in the datagram.
    public var offset: Int
    /// End of this level (exclusive).
    public var end: Int
    public var messageType: UInt8
    public var hopCount: UInt8
    public var linkAddress: IPv6Address
    public var peerAddress: IPv6Address
    /// Payload of the first Relay Message option (9).
    public var relayMessage: Range<Int>?
    /// Payload of the last Interface-ID option (18).
    public var interfaceID: Range<Int>?
    /// Payload of the last Remote-ID option (37).
    public var remoteID: Range<Int>?
    /// Payload of the first Client Link-Layer Address option (79).
    public var clientLinkLayerAddress: Range<Int>?
    /// The Relay Source Port option (135, RFC 8357) was present.
    public var hasRelaySourcePort: Bool

    /// Decodes the relay header and options in `range` of `buffer`. Accepts message types 12 and 13;
    /// the caller decides which it wants.
    public static func decode(_ buffer: UnsafeRawBufferPointer,
                              range: Range<Int>) throws(DHCPv6DecodeError) -> DHCPv6RelayLevel {
        let at = range.lowerBound
        guard range.count >= DHCPv6Wire.relayHeaderLength else {
            throw DHCPv6DecodeError(.shortHeader, offset: at, messageOffset: at)
        }
        var level = DHCPv6RelayLevel(
            offset: at, end: range.upperBound, messageType: buffer.u8(at), hopCount: buffer.u8(at + 1),
            linkAddress: buffer.ipv6(at + 2), peerAddress: buffer.ipv6(at + 18),
            relayMessage: nil, interfaceID: nil, remoteID: nil, clientLinkLayerAddress: nil,
            hasRelaySourcePort: false)
        let walker = DHCPv6OptionWalker(buffer: buffer,
                                        range: (at + DHCPv6Wire.relayHeaderLength)..<range.upperBound,
                                        messageOffset: at)
        try walker.forEach { (option) throws(DHCPv6DecodeError) in
            switch option.code {
            case DHCPv6OptionCode.relayMessage:
                if level.relayMessage == nil { level.relayMessage = option.payload }
            case DHCPv6OptionCode.interfaceID:
                level.interfaceID = option.payload
            case DHCPv6OptionCode.remoteID:
                level.remoteID = option.payload
            case DHCPv6OptionCode.clientLinkLayerAddress:
                if level.clientLinkLayerAddress == nil { level.clientLinkLayerAddress = option.payload }
            case DHCPv6OptionCode.relaySourcePort:
                guard option.payload.count == 2 else {
                    throw DHCPv6DecodeError(.malformedOption, optionCode: option.code,
                                            offset: option.offset, messageOffset: at)
                }
                level.hasRelaySourcePort = true
            default:
                break
            }
        }
        return level
    }
}
