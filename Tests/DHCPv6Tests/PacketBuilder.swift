import ShadowCore
@testable import DHCPv6

/// Builds DHCPv6 datagrams for tests, byte by byte, independently of the engine's encoder.
enum Packet {
    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func option(_ code: UInt16, _ payload: [UInt8]) -> [UInt8] {
        be16(code) + be16(UInt16(payload.count)) + payload
    }

    static func clientID(_ duid: String) -> [UInt8] { option(1, DUID(duid)!.bytes) }
    static func serverID(_ duid: String) -> [UInt8] { option(2, DUID(duid)!.bytes) }
    static func oro(_ codes: UInt16...) -> [UInt8] { option(6, codes.flatMap(be16)) }
    static let rapidCommit = option(14, [])
    static let elapsed = option(8, [0, 0])

    static func iaAddress(_ a: String, preferred: UInt32 = 0, valid: UInt32 = 0) -> [UInt8] {
        option(5, IPv6Address(a)!.bytes + be32(preferred) + be32(valid))
    }

    static func iaPrefix(_ p: String, preferred: UInt32 = 0, valid: UInt32 = 0) -> [UInt8] {
        let prefix = IPv6Prefix(p)!
        return option(26, be32(preferred) + be32(valid) + [prefix.prefixLength] + prefix.address.bytes)
    }

    static func iaNA(_ iaid: UInt32, t1: UInt32 = 0, t2: UInt32 = 0, _ subs: [UInt8]...) -> [UInt8] {
        option(3, be32(iaid) + be32(t1) + be32(t2) + subs.flatMap { $0 })
    }

    static func iaPD(_ iaid: UInt32, t1: UInt32 = 0, t2: UInt32 = 0, _ subs: [UInt8]...) -> [UInt8] {
        option(25, be32(iaid) + be32(t1) + be32(t2) + subs.flatMap { $0 })
    }

    static func client(_ type: DHCPv6MessageType, xid: UInt32 = 0x123456, _ options: [UInt8]...) -> [UInt8] {
        [type.rawValue, UInt8(xid >> 16 & 0xFF), UInt8(xid >> 8 & 0xFF), UInt8(xid & 0xFF)] + options.flatMap { $0 }
    }

    /// A Relay-forward around `inner`; `extra` options are written before the Relay Message.
    static func relay(_ inner: [UInt8], hop: UInt8 = 0, link: String = "::", peer: String = "::",
                      extra: [[UInt8]] = [], type: UInt8 = 12) -> [UInt8] {
        [type, hop] + IPv6Address(link)!.bytes + IPv6Address(peer)!.bytes + extra.flatMap { $0 } + option(9, inner)
    }

    static func interfaceID(_ bytes: [UInt8]) -> [UInt8] { option(18, bytes) }
    static func interfaceID(_ text: String) -> [UInt8] { option(18, Array(text.utf8)) }
    static func remoteID(enterprise: UInt32, _ text: String) -> [UInt8] { option(37, be32(enterprise) + Array(text.utf8)) }
    static func clientLinkLayer(_ mac: String) -> [UInt8] { option(79, [0, 1] + MACAddress(mac)!.bytes) }
    static func relaySourcePort(_ port: UInt16) -> [UInt8] { option(135, be16(port)) }

    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            out.append(UInt8(s[i..<j], radix: 16)!)
            i = j
        }
        return out
    }
}

/// A strict, independent parser for the replies: an option tree over byte arrays.
struct WireOption: Equatable, CustomStringConvertible {
    var code: UInt16
    var payload: [UInt8]

    var description: String { "opt\(code)(\(payload.count))" }

    /// Parses a run of options; nil if any option overruns.
    static func parse(_ bytes: ArraySlice<UInt8>) -> [WireOption]? {
        var out: [WireOption] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            guard bytes.endIndex - i >= 4 else { return nil }
            let code = UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
            let len = Int(UInt16(bytes[i + 2]) << 8 | UInt16(bytes[i + 3]))
            guard bytes.endIndex - (i + 4) >= len else { return nil }
            out.append(WireOption(code: code, payload: Array(bytes[(i + 4)..<(i + 4 + len)])))
            i += 4 + len
        }
        return out
    }

    func u16(_ at: Int) -> UInt16 { UInt16(payload[at]) << 8 | UInt16(payload[at + 1]) }
    func u32(_ at: Int) -> UInt32 { payload[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
    func address(_ at: Int) -> IPv6Address { IPv6Address(networkBytes: payload[at..<(at + 16)]) }

    /// IA_NA / IA_PD fields.
    var iaid: UInt32 { u32(0) }
    var t1: UInt32 { u32(4) }
    var t2: UInt32 { u32(8) }
    var subOptions: [WireOption] { WireOption.parse(payload[12...]) ?? [] }
    var statusCode: UInt16? { subOptions.first { $0.code == 13 }?.u16(0) }

    /// IA Address fields.
    var iaAddress: (address: IPv6Address, preferred: UInt32, valid: UInt32) { (address(0), u32(16), u32(20)) }
    /// IA Prefix fields.
    var iaPrefix: (prefix: IPv6Prefix, preferred: UInt32, valid: UInt32) {
        (IPv6Prefix(address: address(9), prefixLength: payload[8]), u32(0), u32(4))
    }
}

/// A decoded reply: the relay levels (outermost first) and the client message inside.
struct ParsedReply {
    struct Level {
        var type: UInt8
        var hop: UInt8
        var link: IPv6Address
        var peer: IPv6Address
        var options: [WireOption]
    }

    var levels: [Level] = []
    var type: UInt8 = 0
    var xid: UInt32 = 0
    var options: [WireOption] = []

    init?(_ bytes: [UInt8]) {
        var message = bytes[...]
        while message.first == 13 {
            guard message.count >= 34, let opts = WireOption.parse(message.dropFirst(34)) else { return nil }
            let s = message.startIndex
            levels.append(Level(type: 13, hop: message[s + 1], link: IPv6Address(networkBytes: message[(s + 2)..<(s + 18)]),
                                peer: IPv6Address(networkBytes: message[(s + 18)..<(s + 34)]), options: opts))
            guard let inner = opts.first(where: { $0.code == 9 }) else { return nil }
            message = inner.payload[...]
        }
        guard message.count >= 4, let opts = WireOption.parse(message.dropFirst(4)) else { return nil }
        let s = message.startIndex
        type = message[s]
        xid = UInt32(message[s + 1]) << 16 | UInt32(message[s + 2]) << 8 | UInt32(message[s + 3])
        options = opts
    }

    func all(_ code: UInt16) -> [WireOption] { options.filter { $0.code == code } }
    func first(_ code: UInt16) -> WireOption? { options.first { $0.code == code } }
    var codes: [UInt16] { options.map(\.code) }
}
