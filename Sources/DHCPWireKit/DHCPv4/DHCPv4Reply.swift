import ShadowCore

/// A DHCPv4 reply parsed strictly and independently of the server's decoder: every BOOTP header
/// field and the options in wire order (repeated options kept), with accessors for the options
/// tests and the probe look at.
public struct DHCPv4Reply: Sendable, CustomStringConvertible {
    public struct Option: Sendable, Hashable {
        public var code: UInt8
        public var payload: [UInt8]
    }

    public let bytes: [UInt8]
    /// Options before End, in order (Pad skipped).
    public let options: [Option]
    /// Offset of the End option (the datagram's length when `requireEnd` was false and there is none).
    public let endOffset: Int

    /// Nil unless the datagram is at least 240 bytes, has the magic cookie, and its options are
    /// well formed up to End (or, unless `requireEnd`, up to the end of the datagram).
    public init?(_ bytes: [UInt8], requireEnd: Bool = true) {
        var options: [Option] = []
        let ending = bytes.withUnsafeBytes { b -> DHCPv4Options.Ending? in
            guard b.count >= DHCPv4Layout.optionsOffset, b.wireU32(236) == DHCPv4Layout.magicCookie else { return nil }
            return DHCPv4Options.walk(b) { code, at, length in
                options.append(Option(code: code, payload: Array(b[at..<(at + length)])))
            }
        }
        switch ending {
        case .end(let at): endOffset = at
        case .noEnd where !requireEnd: endOffset = bytes.count
        default: return nil
        }
        self.bytes = bytes
        self.options = options
    }

    public var op: UInt8 { bytes[0] }
    public var htype: UInt8 { bytes[1] }
    public var hlen: UInt8 { bytes[2] }
    public var hops: UInt8 { bytes[3] }
    public var xid: UInt32 { u32(4) }
    public var secs: UInt16 { UInt16(bytes[8]) << 8 | UInt16(bytes[9]) }
    public var flags: UInt16 { UInt16(bytes[10]) << 8 | UInt16(bytes[11]) }
    public var ciaddr: IPv4Address { IPv4Address(u32(12)) }
    public var yiaddr: IPv4Address { IPv4Address(u32(16)) }
    public var siaddr: IPv4Address { IPv4Address(u32(20)) }
    public var giaddr: IPv4Address { IPv4Address(u32(24)) }
    /// The first `hlen` bytes (at most 16) of `chaddr`.
    public var chaddr: [UInt8] { Array(bytes[28..<(28 + Int(min(hlen, 16)))]) }
    /// All 16 bytes of the `chaddr` field.
    public var chaddrField: [UInt8] { Array(bytes[28..<44]) }
    /// `chaddr` as a MAC when `hlen` is 6.
    public var clientMAC: MACAddress? { hlen == 6 ? MACAddress(bytes: bytes[28..<34]) : nil }
    public var snameAndFile: [UInt8] { Array(bytes[44..<236]) }
    public var cookie: UInt32 { u32(236) }

    /// The payload of the first instance of `code`.
    public func option(_ code: UInt8) -> [UInt8]? { options.first { $0.code == code }?.payload }

    /// The first instance of `code` as an address (nil unless 4 bytes).
    public func address(_ code: UInt8) -> IPv4Address? {
        option(code).flatMap { $0.count == 4 ? IPv4Address(networkBytes: $0) : nil }
    }

    /// The first instance of `code` as a 32-bit number (nil unless 4 bytes).
    public func uint32(_ code: UInt8) -> UInt32? { address(code)?.value }

    /// The addresses of every instance of `code`, in order (a list split over several instances
    /// comes back whole).
    public func addresses(_ code: UInt8) -> [IPv4Address] {
        options.filter { $0.code == code }.flatMap { o in
            stride(from: 0, to: o.payload.count - 3, by: 4).map { IPv4Address(networkBytes: o.payload[$0..<($0 + 4)]) }
        }
    }

    /// Option 53.
    public var messageType: UInt8? { option(53)?.first }
    /// Option 54.
    public var serverIdentifier: IPv4Address? { address(54) }
    /// Option 1.
    public var subnetMask: IPv4Address? { address(1) }
    /// Option 3.
    public var routers: [IPv4Address] { addresses(3) }
    /// Option 6.
    public var dns: [IPv4Address] { addresses(6) }
    /// Options 51, 58 and 59.
    public var leaseTime: UInt32? { uint32(51) }
    public var renewalTime: UInt32? { uint32(58) }
    public var rebindingTime: UInt32? { uint32(59) }
    /// Option 82, byte for byte.
    public var relayAgentInformation: [UInt8]? { option(82) }
    /// The option codes in wire order.
    public var optionCodes: [UInt8] { options.map(\.code) }

    public static let offer: UInt8 = 2
    public static let ack: UInt8 = 5
    public static let nak: UInt8 = 6

    public var description: String {
        "DHCPv4 reply type \(messageType.map(String.init) ?? "-") xid \(xid) yiaddr \(yiaddr) options \(optionCodes)"
    }

    private func u32(_ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }
}
