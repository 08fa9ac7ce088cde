import ShadowCore

/// A view of a Relay Agent Information option (option 82, RFC 3046) inside a datagram.
///
/// Decoding checks that every sub-option fits inside the option and that the fixed-size ones have
/// their size. When a sub-option code repeats, the last instance wins.
public struct RelayAgentInformation {
    /// The whole datagram.
    public let bytes: UnsafeRawBufferPointer
    /// Where the option's payload starts in `bytes`, and its length.
    private let payloadAt: UInt16
    private let payloadLength: UInt8
    // Where the last instance of each sub-option sits (see `Span`); kept small so the view copies cheaply.
    private var circuitAt = Span.absent
    private var remoteAt = Span.absent
    private var subscriberAt = Span.absent
    private var linkSelectionAt = Span.absent
    private var serverOverrideAt = Span.absent
    /// Whether sub-option 19 (RFC 8357 Relay Agent Source Port) is present.
    public private(set) var hasRelaySourcePort = false

    init(bytes: UnsafeRawBufferPointer, payload: Range<Int>) throws(DHCPv4DecodeError) {
        self.bytes = bytes
        payloadAt = UInt16(payload.lowerBound)
        payloadLength = UInt8(payload.count)
        var i = payload.lowerBound
        while i < payload.upperBound {
            let code = bytes[i]
            guard i + 1 < payload.upperBound, i + 2 + Int(bytes[i + 1]) <= payload.upperBound else {
                throw DHCPv4DecodeError(.subOptionOverrun, optionCode: DHCPv4Option.relayAgentInformation,
                                        subOptionCode: code, offset: i)
            }
            let length = Int(bytes[i + 1])
            try record(code: code, at: i, length: length)
            i += 2 + length
        }
    }

    private mutating func record(code: UInt8, at i: Int, length: Int) throws(DHCPv4DecodeError) {
        let value = Span(offset: i + 2, length: length)
        switch code {
        case RelayAgentSubOption.circuitID: circuitAt = value
        case RelayAgentSubOption.remoteID: remoteAt = value
        case RelayAgentSubOption.subscriberID: subscriberAt = value
        case RelayAgentSubOption.linkSelection, RelayAgentSubOption.serverIdentifierOverride:
            guard length == 4 else {
                throw DHCPv4DecodeError(.invalidSubOptionLength, optionCode: DHCPv4Option.relayAgentInformation,
                                        subOptionCode: code, offset: i)
            }
            if code == RelayAgentSubOption.linkSelection { linkSelectionAt = value } else { serverOverrideAt = value }
        case RelayAgentSubOption.relaySourcePort: hasRelaySourcePort = true
        default: break
        }
    }

    /// Where the option's payload (all sub-options) sits in `bytes`.
    public var payloadRange: Range<Int> { Int(payloadAt)..<(Int(payloadAt) + Int(payloadLength)) }

    /// The option's payload exactly as received, for echoing.
    public var payload: UnsafeRawBufferPointer { bytes.slice(Int(payloadAt), Int(payloadLength)) }

    /// Sub-option 1, Agent Circuit ID.
    public var circuitID: UnsafeRawBufferPointer? { circuitAt.value(in: bytes) }
    /// Sub-option 2, Agent Remote ID.
    public var remoteID: UnsafeRawBufferPointer? { remoteAt.value(in: bytes) }
    /// Sub-option 6, Subscriber ID.
    public var subscriberID: UnsafeRawBufferPointer? { subscriberAt.value(in: bytes) }
    /// Sub-option 5, Link Selection.
    public var linkSelection: IPv4Address? { linkSelectionAt.address(in: bytes) }
    /// Sub-option 11, Server Identifier Override.
    public var serverIdentifierOverride: IPv4Address? { serverOverrideAt.address(in: bytes) }

    /// Sub-options 1, 2 and 6 as the lookup triple; each counts only when non-empty UTF-8.
    public var option82: Option82 {
        Option82(circuit: text(circuitAt), remote: text(remoteAt),
                 subscriber: text(subscriberAt))
    }

    /// The same rule as `Option82(wireCircuit:wireRemote:wireSubscriber:)` (non-empty, valid UTF-8),
    /// specialised here for raw bytes: the generic version costs a metadata lookup per packet.
    private func text(_ span: Span) -> String? {
        guard let value = span.value(in: bytes), !value.isEmpty else { return nil }
        // ASCII is valid UTF-8 and needs no further validation (the usual case for relay IDs).
        if value.allSatisfy({ $0 < 0x80 }) { return String(decoding: value, as: UTF8.self) }
        return String(validating: value, as: UTF8.self)
    }
}
