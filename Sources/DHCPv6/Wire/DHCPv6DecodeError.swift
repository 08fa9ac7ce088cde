/// Why a datagram could not be decoded. Carries the option code involved (when there is one) and the
/// byte offset in the datagram where the problem was found.
public struct DHCPv6DecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// Fewer bytes than a relay header (34) or a client message header (4).
        case shortHeader
        /// The outermost message is not RELAY-FORW (12).
        case notRelayForward
        /// An option's length runs past the end of its enclosing message or option.
        case optionOverrun
        /// A relay level's hop-count is above 32.
        case hopCountTooHigh
        /// More than 32 nested Relay-forward levels.
        case relayTooDeep
        /// A Relay-forward without a Relay Message option (9).
        case noRelayMessage
        /// The Client Identifier (1) is longer than 130 bytes.
        case clientIDTooLong
        /// An option whose payload is too short for its fixed fields (IA_NA, IA_PD, IA Address,
        /// IA Prefix, Client Link-Layer Address).
        case malformedOption
    }

    public var kind: Kind
    /// The option being read, nil for header problems.
    public var optionCode: UInt16?
    /// Byte offset in the datagram (of the option header, or of the message header).
    public var offset: Int
    /// Offset of the message (relay level or client message) being decoded when the error occurred.
    public var messageOffset: Int

    public init(_ kind: Kind, optionCode: UInt16? = nil, offset: Int, messageOffset: Int) {
        self.kind = kind
        self.optionCode = optionCode
        self.offset = offset
        self.messageOffset = messageOffset
    }

    public var description: String {
        let code = optionCode.map { " option \($0)" } ?? ""
        return "\(kind.rawValue)\(code) at offset \(offset)"
    }
}
