import DHCPWireKit
import ShadowCore

/// Starting inputs: golden packets E and G (docs/testing.md) and a two-level relay around a Renew.
enum Seeds {
    static let e = "0c0000000000000000000000000000000000fe800000000000000a5531fffe8f1998004f000800010a55318f1998001200040000000c00090042019c31b20001000a000300010855318f19940003000c000000050000070800000b40000600020017000800020000000e00000019000c000000050000070800000b40"
    static let g = "0c0000000000000000000000000000000000fe800000000000000a5531fffe8f1998004f000800010a55318f1998001200040000000c0009008903cb9e480001000a000300010855318f19940002000e000100012df239c7bc2411a720340003002800000005000003e8000007d0000500182605cb4080200000000000000000000200000bb800000fa00006000200170008000200000019002900000005000003e8000007d0001a001900000bb800000fa0382605cb40802001000000000000000000"

    static var all: [[UInt8]] { [Packet.hex(e), Packet.hex(g), nestedRenew()] }

    /// Relay-forward(hop 1, Interface-ID "outer", Relay Source Port) around Relay-forward(Option 79,
    /// Interface-ID) around a Renew with a wrong address and a prefix.
    static func nestedRenew() -> [UInt8] {
        let renew = Packet.client(type: 5, xid: 0x11_2233, [
            Packet.option(1, Packet.hex("00030001085531 8f1994")),
            Packet.option(2, Packet.hex("000100012df239c7bc2411a72034")),
            Packet.iaNA(5, Packet.iaAddress("2001:db8::de:ad00", preferred: 1, valid: 2)),
            Packet.iaPD(6, Packet.iaPrefix("2001:db8:ffff::/56", preferred: 1, valid: 2)),
            Packet.oro(23),
        ])
        let inner = Packet.relay(renew, peer: "fe80::a55:31ff:fe8f:1998",
                                 extra: [Packet.option(79, Packet.hex("00010a55318f1998")), Packet.interfaceID([0, 0, 0, 12])])
        return Packet.relay(inner, hop: 1, peer: "2001:db8::2", extra: [Packet.interfaceID("outer"), Packet.relaySourcePort(0)])
    }
}

private typealias Packet = DHCPv6Packet
