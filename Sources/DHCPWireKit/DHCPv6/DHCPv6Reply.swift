import ShadowCore

/// One DHCPv6 option of a parsed reply, with accessors for the fields of the options tests and
/// the probe look at (IA_NA, IA_PD and their sub-options, Status Code).
public struct DHCPv6Option: Sendable, Hashable, CustomStringConvertible {
    public var code: UInt16
    public var payload: [UInt8]

    public init(code: UInt16, payload: [UInt8]) {
        self.code = code
        self.payload = payload
    }

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

    public func u16(_ at: Int) -> UInt16 { UInt16(payload[at]) << 8 | UInt16(payload[at + 1]) }
    public func u32(_ at: Int) -> UInt32 { payload[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
    public func address(_ at: Int) -> IPv6Address { IPv6Address(networkBytes: payload[at..<(at + 16)]) }

    /// IA_NA / IA_PD fields.
    public var iaid: UInt32 { u32(0) }
    public var t1: UInt32 { u32(4) }
    public var t2: UInt32 { u32(8) }
    /// IA_NA / IA_PD sub-options (after IAID, T1, T2); empty when they do not parse.
    public var subOptions: [DHCPv6Option] {
        guard payload.count >= 12 else { return [] }
        return DHCPv6Option.parse(payload[12...]) ?? []
    }

    /// The code of the first Status Code (13) sub-option of an IA, if any.
    public var statusCode: UInt16? { subOptions.first { $0.code == 13 }?.status?.code }

    /// A Status Code option's code and message.
    public var status: (code: UInt16, message: String)? {
        guard payload.count >= 2 else { return nil }
        return (u16(0), String(decoding: payload[2...], as: UTF8.self))
    }

    /// IA Address (5) fields.
    public var iaAddress: (address: IPv6Address, preferred: UInt32, valid: UInt32) { (address(0), u32(16), u32(20)) }
    /// IA Prefix (26) fields.
    public var iaPrefix: (prefix: IPv6Prefix, preferred: UInt32, valid: UInt32) {
        (IPv6Prefix(address: address(9), prefixLength: payload[8]), u32(0), u32(4))
    }

    /// The addresses of the IA Address (5) sub-options of an IA_NA.
    public var iaAddresses: [IPv6Address] {
        subOptions.filter { $0.code == 5 && $0.payload.count >= 24 }.map(\.iaAddress.address)
    }

    /// The prefixes of the IA Prefix (26) sub-options of an IA_PD.
    public var iaPrefixes: [IPv6Prefix] {
        subOptions.filter { $0.code == 26 && $0.payload.count >= 25 && $0.payload[8] <= 128 }.map(\.iaPrefix.prefix)
    }
}

/// A DHCPv6 reply parsed strictly: the Relay-reply levels (outermost first) and the client
/// message inside, with accessors for what tests and the probe look at.
public struct DHCPv6Reply: Sendable, CustomStringConvertible {
    public struct Level: Sendable {
        public var type: UInt8
        public var hopCount: UInt8
        public var link: IPv6Address
        public var peer: IPv6Address
        public var options: [DHCPv6Option]
    }

    /// One IA_NA or IA_PD.
    public struct IA: Sendable, Hashable {
        /// An IA Address (prefix length 128) or IA Prefix.
        public struct Lease: Sendable, Hashable {
            public var prefix: IPv6Prefix
            public var preferred: UInt32
            public var valid: UInt32
        }

        public var iaid: UInt32
        public var t1: UInt32
        public var t2: UInt32
        public var leases: [Lease]
        /// The Status Code (13) inside the IA, if any.
        public var status: Status?
    }

    /// A Status Code option: code and message.
    public struct Status: Sendable, Hashable {
        public var code: UInt16
        public var message: String
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
    /// The client message's option codes in wire order.
    public var optionCodes: [UInt16] { options.map(\.code) }

    /// The addresses of the first IA_NA.
    public var iaNAAddresses: [IPv6Address] { first(3)?.iaAddresses ?? [] }
    /// The prefixes of the first IA_PD.
    public var iaPDPrefixes: [IPv6Prefix] { first(25)?.iaPrefixes ?? [] }
    /// The Client Identifier's DUID bytes.
    public var clientID: [UInt8]? { first(1)?.payload }
    /// The Server Identifier's DUID bytes.
    public var serverID: [UInt8]? { first(2)?.payload }
    /// Preference (7).
    public var preference: UInt8? { first(7).flatMap { $0.payload.count == 1 ? $0.payload[0] : nil } }
    /// Rapid Commit (14) present.
    public var rapidCommit: Bool { first(14) != nil }
    /// The message-level Status Code (13).
    public var status: Status? { first(13)?.status.map { Status(code: $0.code, message: $0.message) } }
    /// DNS Recursive Name Servers (23).
    public var dns: [IPv6Address] {
        guard let p = first(23) else { return [] }
        return stride(from: 0, to: p.payload.count - 15, by: 16).map { p.address($0) }
    }
    /// The Interface-ID (18) echoed at the outermost relay level.
    public var interfaceID: [UInt8]? { levels.first?.options.first { $0.code == 18 }?.payload }

    /// Every IA_NA, with its IA Addresses.
    public var iaNA: [IA] { all(3).compactMap { DHCPv6Reply.ia($0, entry: 5) } }
    /// Every IA_PD, with its IA Prefixes.
    public var iaPD: [IA] { all(25).compactMap { DHCPv6Reply.ia($0, entry: 26) } }

    static func ia(_ o: DHCPv6Option, entry: UInt16) -> IA? {
        guard o.payload.count >= 12 else { return nil }
        var ia = IA(iaid: o.iaid, t1: o.t1, t2: o.t2, leases: [])
        for s in o.subOptions {
            if s.code == 13, let st = s.status { ia.status = Status(code: st.code, message: st.message) }
            if s.code == 5, entry == 5, s.payload.count >= 24 {
                let a = s.iaAddress
                ia.leases.append(IA.Lease(prefix: IPv6Prefix(address: a.address, prefixLength: 128),
                                          preferred: a.preferred, valid: a.valid))
            }
            if s.code == 26, entry == 26, s.payload.count >= 25, s.payload[8] <= 128 {
                let p = s.iaPrefix
                ia.leases.append(IA.Lease(prefix: p.prefix, preferred: p.preferred, valid: p.valid))
            }
        }
        return ia
    }

    public static let advertise: UInt8 = 2
    public static let reply: UInt8 = 7

    public var description: String {
        "DHCPv6 reply type \(type) xid \(xid) levels \(levels.count) options \(optionCodes)"
    }
}
