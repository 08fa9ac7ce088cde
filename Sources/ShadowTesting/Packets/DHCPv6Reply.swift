import ShadowCore

/// One DHCPv6 option of a parsed reply.
public struct DHCPv6Option: Sendable, Hashable, CustomStringConvertible {
    public var code: UInt16
    public var payload: [UInt8]

    public var description: String { "option \(code) (\(payload.count) bytes)" }

    /// Parses a run of options; nil if any overruns.
    public static func parse(_ bytes: ArraySlice<UInt8>) -> [DHCPv6Option]? {
        var out: [DHCPv6Option] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            guard bytes.endIndex - i >= 4 else { return nil }
            let code = UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
            let length = Int(UInt16(bytes[i + 2]) << 8 | UInt16(bytes[i + 3]))
            guard bytes.endIndex - (i + 4) >= length else { return nil }
            out.append(DHCPv6Option(code: code, payload: Array(bytes[(i + 4)..<(i + 4 + length)])))
            i += 4 + length
        }
        return out
    }

    func u32(_ at: Int) -> UInt32 { payload[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) } }

    /// IA_NA / IA_PD sub-options (after IAID, T1, T2).
    public var iaSubOptions: [DHCPv6Option] {
        guard payload.count >= 12 else { return [] }
        return DHCPv6Option.parse(payload[12...]) ?? []
    }

    /// The addresses of the IA Address (5) sub-options of an IA_NA.
    public var iaAddresses: [IPv6Address] {
        iaSubOptions.filter { $0.code == 5 && $0.payload.count >= 24 }.map { IPv6Address(networkBytes: $0.payload[0..<16]) }
    }

    /// The prefixes of the IA Prefix (26) sub-options of an IA_PD.
    public var iaPrefixes: [IPv6Prefix] {
        iaSubOptions.filter { $0.code == 26 && $0.payload.count >= 25 }.map {
            IPv6Prefix(address: IPv6Address(networkBytes: $0.payload[9..<25]), prefixLength: $0.payload[8])
        }
    }

    /// The status code (13) sub-option's code, if any.
    public var iaStatusCode: UInt16? {
        iaSubOptions.first { $0.code == 13 && $0.payload.count >= 2 }.map { UInt16($0.payload[0]) << 8 | UInt16($0.payload[1]) }
    }
}

/// A DHCPv6 reply parsed strictly: the Relay-reply levels (outermost first) and the client
/// message inside.
public struct DHCPv6Reply: Sendable, CustomStringConvertible {
    public struct Level: Sendable {
        public var type: UInt8
        public var hopCount: UInt8
        public var link: IPv6Address
        public var peer: IPv6Address
        public var options: [DHCPv6Option]
    }

    public let bytes: [UInt8]
    public private(set) var levels: [Level] = []
    public private(set) var type: UInt8 = 0
    public private(set) var xid: UInt32 = 0
    public private(set) var options: [DHCPv6Option] = []

    /// Nil unless every level and the client message parse without overrun.
    public init?(_ bytes: [UInt8]) {
        self.bytes = bytes
        var message = bytes[...]
        while message.first == 13 {
            guard message.count >= 34, let opts = DHCPv6Option.parse(message.dropFirst(34)) else { return nil }
            let s = message.startIndex
            levels.append(Level(type: 13, hopCount: message[s + 1],
                                link: IPv6Address(networkBytes: message[(s + 2)..<(s + 18)]),
                                peer: IPv6Address(networkBytes: message[(s + 18)..<(s + 34)]), options: opts))
            guard let inner = opts.first(where: { $0.code == 9 }) else { return nil }
            message = inner.payload[...]
        }
        guard message.count >= 4, let opts = DHCPv6Option.parse(message.dropFirst(4)) else { return nil }
        let s = message.startIndex
        type = message[s]
        xid = UInt32(message[s + 1]) << 16 | UInt32(message[s + 2]) << 8 | UInt32(message[s + 3])
        options = opts
    }

    public func first(_ code: UInt16) -> DHCPv6Option? { options.first { $0.code == code } }
    public func all(_ code: UInt16) -> [DHCPv6Option] { options.filter { $0.code == code } }

    /// The addresses of the first IA_NA.
    public var iaNAAddresses: [IPv6Address] { first(3)?.iaAddresses ?? [] }
    /// The prefixes of the first IA_PD.
    public var iaPDPrefixes: [IPv6Prefix] { first(25)?.iaPrefixes ?? [] }
    /// The Server Identifier's DUID bytes.
    public var serverID: [UInt8]? { first(2)?.payload }

    public static let advertise: UInt8 = 2
    public static let reply: UInt8 = 7

    public var description: String {
        "DHCPv6 reply type \(type) xid \(xid) levels \(levels.count) options \(options.map(\.code))"
    }
}
