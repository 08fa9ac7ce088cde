/// Why a datagram is not a well-formed DHCPv4 message. Decoding never traps; every problem ends here.
///
/// `offset` is the byte offset in the datagram where the problem starts (an option's code byte for
/// option errors, a sub-option's code byte for Option 82 sub-option errors).
public struct DHCPv4DecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        /// Shorter than the 236-byte header plus the 4-byte magic cookie.
        case truncatedHeader
        /// Longer than 65535 bytes, which no UDP datagram is.
        case oversized
        /// The four bytes after the header are not 99.130.83.99.
        case badMagicCookie
        /// `hlen` is larger than the 16-byte `chaddr` field.
        case hardwareAddressTooLong
        /// An option's length byte is missing or its payload runs past the datagram.
        case optionOverrun
        /// The options end without an End (255) option.
        case missingEnd
        /// An option this server interprets has the wrong length (53: 1; 50, 54: 4).
        case invalidOptionLength
        /// Option 52 (overload): options in `sname`/`file` are not supported.
        case optionOverload
        /// A Relay Agent Information sub-option runs past the end of option 82.
        case subOptionOverrun
        /// A Relay Agent Information sub-option with a fixed size has another (5, 11: 4 bytes).
        case invalidSubOptionLength
    }

    public var kind: Kind
    /// The option concerned (82 for sub-option errors), nil for header errors.
    public var optionCode: UInt8?
    /// The Relay Agent Information sub-option concerned, if any.
    public var subOptionCode: UInt8?
    public var offset: Int

    public init(_ kind: Kind, optionCode: UInt8? = nil, subOptionCode: UInt8? = nil, offset: Int) {
        self.kind = kind
        self.optionCode = optionCode
        self.subOptionCode = subOptionCode
        self.offset = offset
    }

    public var description: String {
        var s = "\(kind.rawValue) at offset \(offset)"
        if let optionCode { s += ", option \(optionCode)" }
        if let subOptionCode { s += ", sub-option \(subOptionCode)" }
        return s
    }
}
