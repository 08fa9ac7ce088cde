import ShadowCore

/// A view of a Relay Agent Information option (option 82, RFC 3046) inside a datagram.
///
/// Decoding checks that every sub-option fits inside the option and that the fixed-size ones have
/// their size. When a sub-option code repeats, the last instance wins.
public struct RelayAgentInformation {
    /// The whole datagram.
    public let bytes: UnsafeRawBufferPointer
    /// Where the option's payload (all sub-options) sits in `bytes`.
    public let payloadRange: Range<Int>
    private var circuitAt: Range<Int>?
    private var remoteAt: Range<Int>?
    private var subscriberAt: Range<Int>?
    private var linkSelectionAt: Int?
    private var serverOverrideAt: Int?
    /// Whether sub-option 19 (RFC 8357 Relay Agent Source Port) is present.
    public private(set) var hasRelaySourcePort = false

    init(bytes: UnsafeRawBufferPointer, payload: Range<Int>) throws(DHCPv4DecodeError) {
        self.bytes = bytes
        self.payloadRange = payload
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
        let value = (i + 2)..<(i + 2 + length)
        switch code {
        case RelayAgentSubOption.circuitID: circuitAt = value
        case RelayAgentSubOption.remoteID: remoteAt = value
        case RelayAgentSubOption.subscriberID: subscriberAt = value
        case RelayAgentSubOption.linkSelection, RelayAgentSubOption.serverIdentifierOverride:
            guard length == 4 else {
                throw DHCPv4DecodeError(.invalidSubOptionLength, optionCode: DHCPv4Option.relayAgentInformation,
                                        subOptionCode: code, offset: i)
            }
            if code == RelayAgentSubOption.linkSelection { linkSelectionAt = i + 2 } else { serverOverrideAt = i + 2 }
        case RelayAgentSubOption.relaySourcePort: hasRelaySourcePort = true
        default: break
        }
    }

    /// The option's payload exactly as received, for echoing.
    public var payload: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[payloadRange])
    }

    /// Sub-option 1, Agent Circuit ID.
    public var circuitID: UnsafeRawBufferPointer? { circuitAt.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) } }
    /// Sub-option 2, Agent Remote ID.
    public var remoteID: UnsafeRawBufferPointer? { remoteAt.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) } }
    /// Sub-option 6, Subscriber ID.
    public var subscriberID: UnsafeRawBufferPointer? {
        subscriberAt.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) }
    }
    /// Sub-option 5, Link Selection.
    public var linkSelection: IPv4Address? { linkSelectionAt.map { IPv4Address(bytes.readUInt32(at: $0)) } }
    /// Sub-option 11, Server Identifier Override.
    public var serverIdentifierOverride: IPv4Address? {
        serverOverrideAt.map { IPv4Address(bytes.readUInt32(at: $0)) }
    }

    /// Sub-options 1, 2 and 6 as the lookup triple; each counts only when non-empty UTF-8.
    public var option82: Option82 {
        Option82(wireCircuit: circuitID, wireRemote: remoteID, wireSubscriber: subscriberID)
    }
}
