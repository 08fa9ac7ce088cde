import ShadowCore

/// A decoded DHCPv4 datagram: a view over the caller's bytes, not a copy.
///
/// Decoding validates the fixed header, the magic cookie and the whole option area, and records
/// where the options this server interprets sit. Nothing is allocated. The view is valid only as
/// long as the bytes it was decoded from.
///
/// Rules: Pad (0) is skipped; options end at End (255), which must be present; when an option code
/// repeats, the last instance wins; option 52 (overload) is rejected.
public struct DHCPv4Message {
    /// The whole datagram.
    public let bytes: UnsafeRawBufferPointer
    // Where the last instance of each option this server reads sits (see `Span`).
    private var messageTypeAt = Span.absent
    private var serverIdentifierAt = Span.absent
    private var requestedAddressAt = Span.absent
    private var parameterRequestListAt = Span.absent
    private var maximumMessageSizeAt = Span.absent
    private var subnetSelectionAt = Span.absent
    /// The last Relay Agent Information option, already validated.
    public private(set) var relayAgentInformation: RelayAgentInformation?
    /// Offset of the End option.
    public var endOffset: Int { Int(endAt) }
    private var endAt: UInt16 = 0

    /// Decodes `bytes`, which must outlive the returned view.
    public init(decoding bytes: UnsafeRawBufferPointer) throws(DHCPv4DecodeError) {
        self.bytes = bytes
        guard bytes.count >= BOOTP.optionsOffset else {
            throw DHCPv4DecodeError(.truncatedHeader, offset: bytes.count)
        }
        guard bytes.count <= Int(UInt16.max) else {
            throw DHCPv4DecodeError(.oversized, offset: Int(UInt16.max))
        }
        guard bytes.readUInt32(at: BOOTP.cookieOffset) == BOOTP.magicCookie else {
            throw DHCPv4DecodeError(.badMagicCookie, offset: BOOTP.cookieOffset)
        }
        guard bytes[BOOTP.hlenOffset] <= UInt8(BOOTP.chaddrLength) else {
            throw DHCPv4DecodeError(.hardwareAddressTooLong, offset: BOOTP.hlenOffset)
        }
        try scanOptions()
    }

    private mutating func scanOptions() throws(DHCPv4DecodeError) {
        var i = BOOTP.optionsOffset
        let count = bytes.count
        while true {
            guard i < count else { throw DHCPv4DecodeError(.missingEnd, offset: i) }
            let code = bytes[i]
            if code == DHCPv4Option.pad { i += 1; continue }
            if code == DHCPv4Option.end { endAt = UInt16(i); return }
            guard i + 1 < count, i + 2 + Int(bytes[i + 1]) <= count else {
                throw DHCPv4DecodeError(.optionOverrun, optionCode: code, offset: i)
            }
            let length = Int(bytes[i + 1])
            try record(code: code, at: i, length: length)
            i += 2 + length
        }
    }

    /// Notes where an interpreted option sits and checks its size.
    @inline(__always)
    private mutating func record(code: UInt8, at i: Int, length: Int) throws(DHCPv4DecodeError) {
        func expect(_ size: Int) throws(DHCPv4DecodeError) {
            guard length == size else {
                throw DHCPv4DecodeError(.invalidOptionLength, optionCode: code, offset: i)
            }
        }
        switch code {
        case DHCPv4Option.messageType:
            try expect(1); messageTypeAt = Span(offset: i + 2, length: 1)
        case DHCPv4Option.serverIdentifier:
            try expect(4); serverIdentifierAt = Span(offset: i + 2, length: 4)
        case DHCPv4Option.requestedIPAddress:
            try expect(4); requestedAddressAt = Span(offset: i + 2, length: 4)
        case DHCPv4Option.parameterRequestList:
            parameterRequestListAt = Span(offset: i + 2, length: length)
        case DHCPv4Option.maximumMessageSize:
            // A wrong length is ignored (the reply then keeps to 576 bytes), not a reason for silence.
            maximumMessageSizeAt = length == 2 ? Span(offset: i + 2, length: 2) : .absent
        case DHCPv4Option.subnetSelection:
            // RFC 3011: four bytes; any other length is ignored (the relay check then uses giaddr).
            subnetSelectionAt = length == 4 ? Span(offset: i + 2, length: 4) : .absent
        case DHCPv4Option.overload:
            throw DHCPv4DecodeError(.optionOverload, optionCode: code, offset: i)
        case DHCPv4Option.relayAgentInformation:
            relayAgentInformation = try RelayAgentInformation(bytes: bytes, payload: (i + 2)..<(i + 2 + length))
        default:
            break
        }
    }
}

// MARK: - Fixed header

extension DHCPv4Message {
    public var op: UInt8 { bytes[BOOTP.opOffset] }
    public var htype: UInt8 { bytes[BOOTP.htypeOffset] }
    /// Hardware address length, at most 16 (checked by decoding).
    public var hlen: UInt8 { bytes[BOOTP.hlenOffset] }
    public var hops: UInt8 { bytes[BOOTP.hopsOffset] }
    public var xid: UInt32 { bytes.readUInt32(at: BOOTP.xidOffset) }
    public var secs: UInt16 { bytes.readUInt16(at: BOOTP.secsOffset) }
    public var flags: UInt16 { bytes.readUInt16(at: BOOTP.flagsOffset) }
    public var ciaddr: IPv4Address { IPv4Address(bytes.readUInt32(at: BOOTP.ciaddrOffset)) }
    public var yiaddr: IPv4Address { IPv4Address(bytes.readUInt32(at: BOOTP.yiaddrOffset)) }
    public var siaddr: IPv4Address { IPv4Address(bytes.readUInt32(at: BOOTP.siaddrOffset)) }
    public var giaddr: IPv4Address { IPv4Address(bytes.readUInt32(at: BOOTP.giaddrOffset)) }

    /// The first `hlen` bytes of `chaddr`.
    public var clientHardwareAddress: UnsafeRawBufferPointer {
        bytes.slice(BOOTP.chaddrOffset, Int(hlen))
    }

    /// `chaddr` as a MAC address when `hlen` is exactly 6, else nil.
    public var clientMAC: MACAddress? {
        guard hlen == 6 else { return nil }
        let high = UInt64(bytes.readUInt16(at: BOOTP.chaddrOffset))
        let low = UInt64(bytes.readUInt32(at: BOOTP.chaddrOffset + 2))
        return MACAddress(value: high << 32 | low)
    }
}

// MARK: - Options

extension DHCPv4Message {
    /// Option 53's value (not necessarily a known type), nil when absent.
    public var messageTypeCode: UInt8? { messageTypeAt.value(in: bytes)?.first }

    /// Option 53 as a known message type, nil when absent or unknown.
    public var messageType: DHCPv4MessageType? { messageTypeCode.flatMap(DHCPv4MessageType.init(rawValue:)) }

    /// Option 54, Server Identifier.
    public var serverIdentifier: IPv4Address? { serverIdentifierAt.address(in: bytes) }

    /// Option 50, Requested IP Address.
    public var requestedAddress: IPv4Address? { requestedAddressAt.address(in: bytes) }

    /// Option 55, Parameter Request List: the option codes the client asks for, in its order
    /// (the last instance when repeated; empty when absent).
    public var parameterRequestList: UnsafeRawBufferPointer {
        parameterRequestListAt.value(in: bytes) ?? UnsafeRawBufferPointer(start: nil, count: 0)
    }

    /// Option 57, Maximum DHCP Message Size, when present with its two bytes.
    public var maximumMessageSize: UInt16? {
        maximumMessageSizeAt.offset == 0 ? nil : bytes.readUInt16(at: Int(maximumMessageSizeAt.offset))
    }

    /// Option 118, Subnet Selection (RFC 3011), when present with its four bytes.
    public var subnetSelection: IPv4Address? { subnetSelectionAt.address(in: bytes) }

    /// The key of the client's high-availability share (RFC 3074, docs/high-availability.md): the
    /// value of option 61 (type byte included) when the client sends a non-empty one, else the
    /// first `hlen` bytes of `chaddr` — what ISC Kea hashes. Scans the options (decoding does not
    /// record option 61, which only load-balancing reads).
    public var loadBalancingKey: UnsafeRawBufferPointer {
        if let id = option(DHCPv4Option.clientIdentifier), !id.isEmpty { return id }
        return clientHardwareAddress
    }

    /// The payload of the last instance of option `code`, nil when absent. Scans the option area
    /// (already validated by decoding); Pad and End have no payload and return nil.
    public func option(_ code: UInt8) -> UnsafeRawBufferPointer? {
        guard code != DHCPv4Option.pad, code != DHCPv4Option.end else { return nil }
        var found: UnsafeRawBufferPointer?
        var i = BOOTP.optionsOffset
        while i < endOffset {
            let c = bytes[i]
            if c == DHCPv4Option.pad { i += 1; continue }
            let length = Int(bytes[i + 1])
            if c == code { found = bytes.slice(i + 2, length) }
            i += 2 + length
        }
        return found
    }
}

// MARK: - Byte access

/// Where a value sits in a datagram of at most 65535 bytes, in 4 bytes. Offset 0 means absent
/// (no option value can start inside the fixed header).
struct Span {
    var offset: UInt16
    var length: UInt8

    static let absent = Span(offset: 0, length: 0)

    init(offset: Int, length: Int) {
        self.offset = UInt16(truncatingIfNeeded: offset)
        self.length = UInt8(truncatingIfNeeded: length)
    }

    @inline(__always)
    func value(in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        offset == 0 ? nil : bytes.slice(Int(offset), Int(length))
    }

    /// The four-byte address at this span (fixed-size values are checked at decoding).
    @inline(__always)
    func address(in bytes: UnsafeRawBufferPointer) -> IPv4Address? {
        offset == 0 ? nil : IPv4Address(bytes.readUInt32(at: Int(offset)))
    }
}

extension UnsafeRawBufferPointer {
    /// A big-endian UInt32 at `offset` (bounds checked by the caller's validation).
    @inline(__always)
    func readUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    func readUInt16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// The `count` bytes from `offset`, as a buffer of their own (indices start at 0).
    @inline(__always)
    func slice(_ offset: Int, _ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[offset..<(offset + count)])
    }
}
