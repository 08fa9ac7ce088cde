import DHCPWireKit
import ShadowCore
import Testing
@testable import DHCPv6

/// The per-table cache of the configured options of a reply by ORO (``DHCPReplyOptionsCache``): a
/// reply answered from it is byte for byte the reply of a fresh engine (empty cache).
@Suite("DHCPv6 configured options: reply cache")
struct ReplyOptionsCacheV6Tests {
    typealias T = ConfiguredOptionsV6Tests

    static func fixture() -> Fixture {
        var vendor = T.vendor
        vendor.alwaysSend = true
        return T.fixture(top: [T.domainList, T.ntp, T.solMaxRT, vendor, T.refresh,
                               DHCPOptionSet.Entry(code: 31, payload: IPv6Address("2001:db8::123")!.bytes)])
    }

    @Test("A second identical Solicit gets the same bytes as the first, and as an engine with an empty cache")
    func repeatRequest() throws {
        let f = Self.fixture()
        let engine = f.engine
        let m = Packet.relay(T.solicit([82, 56, 24, 23, 32, 31]))
        let first = f.run(m, on: engine).bytes
        #expect(f.run(m, on: engine).bytes == first)
        #expect(f.run(m).bytes == first)
        #expect(try T.parse(first).optionCodes == [1, 2, 3, 7, 17, 23, 24, 25, 31, 56, 82])
    }

    @Test("A different ORO gets its own options; an Information-request with the same ORO gets 32")
    func differentList() throws {
        let f = Self.fixture()
        let engine = f.engine
        let a = Packet.relay(T.solicit([24, 32]))
        let b = Packet.relay(T.solicit([56, 82]))
        let info = Packet.relay(Packet.client(.informationRequest, Packet.clientID(Fixture.clientDUID), Packet.oro(24, 32)))
        let ra = f.run(a, on: engine).bytes
        let rb = f.run(b, on: engine).bytes
        let ri = f.run(info, on: engine).bytes
        #expect(try T.parse(ra).optionCodes == [1, 2, 3, 7, 17, 24, 25])
        #expect(try T.parse(rb).optionCodes == [1, 2, 3, 7, 17, 25, 56, 82])
        #expect(try T.parse(ri).optionCodes == [1, 2, 17, 24, 32])
        for (m, r) in [(a, ra), (b, rb), (info, ri), (a, ra)] {
            #expect(f.run(m, on: engine).bytes == r)
            #expect(f.run(m).bytes == r)
        }
    }

    @Test("More ORO lists than the cache holds: every answer stays what it was")
    func replacement() throws {
        let f = Self.fixture()
        let engine = f.engine
        let lists: [[UInt16]] = [[24], [56], [82], [24, 56], [56, 24], [31], [31, 82], [], [32, 24, 31, 56, 82]]
        let messages = lists.map { Packet.relay(T.solicit($0)) }
        let expected = messages.map { f.run($0).bytes }
        for _ in 0..<3 {
            for (m, e) in zip(messages, expected) { #expect(f.run(m, on: engine).bytes == e) }
        }
        for (m, e) in zip(messages.reversed(), expected.reversed()) { #expect(f.run(m, on: engine).bytes == e) }
    }
}
