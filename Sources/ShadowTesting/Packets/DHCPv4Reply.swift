import ShadowCore

/// A DHCPv4 reply parsed strictly and independently of the server's decoder: the BOOTP header
/// fields tests look at and the options in wire order.
public struct DHCPv4Reply: Sendable, CustomStringConvertible {
    public struct Option: Sendable, Hashable {
        public var code: UInt8
        public var payload: [UInt8]
    }

    public let bytes: [UInt8]
    public let op: UInt8
    public let hops: UInt8
    public let xid: UInt32
    public let flags: UInt16
    public let ciaddr: IPv4Address
    public let yiaddr: IPv4Address
    public let giaddr: IPv4Address
    public let chaddr: [UInt8]
    /// Options before End, in order (Pad skipped).
    public let options: [Option]

    /// Nil unless the datagram is at least 240 bytes, has the magic cookie, and its options are
    /// well formed up to End.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count >= 240, bytes[236..<240].elementsEqual([99, 130, 83, 99]) else { return nil }
        self.bytes = bytes
        op = bytes[0]
        hops = bytes[3]
        xid = DHCPv4Reply.u32(bytes, 4)
        flags = UInt16(bytes[10]) << 8 | UInt16(bytes[11])
        ciaddr = IPv4Address(DHCPv4Reply.u32(bytes, 12))
        yiaddr = IPv4Address(DHCPv4Reply.u32(bytes, 16))
        giaddr = IPv4Address(DHCPv4Reply.u32(bytes, 24))
        chaddr = Array(bytes[28..<(28 + Int(min(bytes[2], 16)))])
        var options: [Option] = []
        var i = 240
        while true {
            guard i < bytes.count else { return nil }  // no End
            let code = bytes[i]
            if code == 255 { break }
            if code == 0 { i += 1; continue }
            guard i + 1 < bytes.count, i + 2 + Int(bytes[i + 1]) <= bytes.count else { return nil }
            options.append(Option(code: code, payload: Array(bytes[(i + 2)..<(i + 2 + Int(bytes[i + 1]))])))
            i += 2 + Int(bytes[i + 1])
        }
        self.options = options
    }

    /// The payload of the last instance of `code`.
    public func option(_ code: UInt8) -> [UInt8]? { options.last { $0.code == code }?.payload }

    /// Option 53.
    public var messageType: UInt8? { option(53)?.first }
    /// Option 54.
    public var serverIdentifier: IPv4Address? {
        guard let p = option(54), p.count == 4 else { return nil }
        return IPv4Address(networkBytes: p)
    }
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

    static func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }
}
