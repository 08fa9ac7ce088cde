/// Starting inputs: golden packets E and G (behavior.md §11.4) and a two-level relay around a Renew.
enum Seeds {
    static let e = "0c0000000000000000000000000000000000fe800000000000000a5531fffe8f1998004f000800010a55318f1998001200040000000c00090042019c31b20001000a000300010855318f19940003000c000000050000070800000b40000600020017000800020000000e00000019000c000000050000070800000b40"
    static let g = "0c0000000000000000000000000000000000fe800000000000000a5531fffe8f1998004f000800010a55318f1998001200040000000c0009008903cb9e480001000a000300010855318f19940002000e000100012df239c7bc2411a720340003002800000005000003e8000007d0000500182605cb4080200000000000000000000200000bb800000fa00006000200170008000200000019002900000005000003e8000007d0001a001900000bb800000fa0382605cb40802001000000000000000000"

    static var all: [[UInt8]] { [hex(e), hex(g), nestedRenew()] }

    /// Relay-forward(hop 1, Interface-ID "outer", Relay Source Port) around Relay-forward(Option 79,
    /// Interface-ID) around a Renew with a wrong address and a prefix.
    static func nestedRenew() -> [UInt8] {
        let renew: [UInt8] = [5, 0x11, 0x22, 0x33]
            + option(1, hex("00030001085531 8f1994".replacingSpaces()))
            + option(2, hex("000100012df239c7bc2411a72034"))
            + option(3, [0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0]
                     + option(5, hex("20010db8000000000000000000dead00") + [0, 0, 0, 1, 0, 0, 0, 2]))
            + option(25, [0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0]
                     + option(26, [0, 0, 0, 1, 0, 0, 0, 2, 56] + hex("20010db8ffff00000000000000000000")))
            + option(6, [0, 23])
        let inner = relayHeader(hop: 0, peer: hex("fe800000000000000a5531fffe8f1998"))
            + option(79, hex("00010a55318f1998")) + option(18, [0, 0, 0, 12]) + option(9, renew)
        return relayHeader(hop: 1, peer: hex("20010db8000000000000000000000002"))
            + option(18, Array("outer".utf8)) + option(135, [0, 0]) + option(9, inner)
    }

    static func relayHeader(hop: UInt8, peer: [UInt8]) -> [UInt8] {
        [12, hop] + [UInt8](repeating: 0, count: 16) + peer
    }

    static func option(_ code: UInt16, _ payload: [UInt8]) -> [UInt8] {
        [UInt8(code >> 8), UInt8(code & 0xFF), UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
    }

    static func hex(_ s: String) -> [UInt8] {
        let u = Array(s.utf8)
        return stride(from: 0, to: u.count - 1, by: 2).map { UInt8(nibble(u[$0]) << 4 | nibble(u[$0 + 1])) }
    }

    private static func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : (c | 0x20) - 87 }
}

extension String {
    fileprivate func replacingSpaces() -> String { String(filter { $0 != " " }) }
}
