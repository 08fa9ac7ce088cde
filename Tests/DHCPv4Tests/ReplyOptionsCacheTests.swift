import DHCPWireKit
import DHCPv4
import ShadowCore
import Testing

/// The per-table cache of the configured part of a reply (``DHCPReplyOptionsCache``): a reply
/// answered from it is byte for byte the reply a fresh engine (empty cache) gives.
@Suite("DHCPv4 configured options: reply cache")
struct ReplyOptionsCacheTests {
    typealias Entry = DHCPOptionSet.Entry

    static func config() -> ServerConfig {
        var always = ConfiguredOptionsTests.mtu
        always.alwaysSend = true
        let big = (0..<4).map { Entry(code: UInt16(224 + $0), payload: [UInt8](repeating: UInt8($0), count: 120)) }
        let long = Entry(code: 43, payload: (0..<600).map { UInt8($0 % 251) })
        return ConfiguredOptionsTests.config(top: [ConfiguredOptionsTests.domainName, ConfiguredOptionsTests.ntp,
                                                   always, ConfiguredOptionsTests.routes, long] + big)
    }

    /// The reply of an engine that has never answered before.
    static func fresh(_ p: DHCPv4PacketBuilder, _ config: ServerConfig) -> Exchange { World.exchange(p, config: config) }

    @Test("A second identical request gets the same bytes as the first, and as an engine with an empty cache")
    func repeatRequest() throws {
        let config = Self.config()
        let engine = DHCPv4Engine(config: config, ids: World.ids)
        let p = ConfiguredOptionsTests.discover(requesting: [1, 3, 121, 6, 15, 42, 43], maximumSize: 1500)
        let first = try #require(World.exchange(p, engine: engine).reply)
        let second = World.exchange(p, engine: engine)
        #expect(try #require(second.reply).bytes == first.bytes)
        #expect(second.outcome.optionsOmittedForSize == 0)
        #expect(first.bytes == Self.fresh(p, config).reply?.bytes)
        #expect(first.optionCodes == [53, 54, 51, 58, 59, 1, 3, 6, 121, 15, 42, 43, 43, 43, 26, 82])
    }

    @Test("A different list gets its own options, and the first list's answer is unchanged after it")
    func differentList() throws {
        let config = Self.config()
        let engine = DHCPv4Engine(config: config, ids: World.ids)
        let a = ConfiguredOptionsTests.discover(requesting: [15, 42])
        let b = ConfiguredOptionsTests.discover(requesting: [42, 121])
        let ra = try #require(World.exchange(a, engine: engine).reply)
        let rb = try #require(World.exchange(b, engine: engine).reply)
        #expect(rb.optionCodes.suffix(4) == [42, 121, 26, 82])
        #expect(rb.bytes == Self.fresh(b, config).reply?.bytes)
        #expect(World.exchange(a, engine: engine).reply?.bytes == ra.bytes)
        #expect(World.exchange(b, engine: engine).reply?.bytes == rb.bytes)
    }

    @Test("A cached answer that does not fit is not used: the options are left out and counted as before")
    func doesNotFit() throws {
        let config = Self.config()
        let engine = DHCPv4Engine(config: config, ids: World.ids)
        let codes: [UInt8] = [26, 224, 225, 226, 227]
        let large = World.exchange(ConfiguredOptionsTests.discover(requesting: codes, maximumSize: 1500), engine: engine)
        #expect(large.outcome.optionsOmittedForSize == 0)
        let p = ConfiguredOptionsTests.discover(requesting: codes)
        let small = World.exchange(p, engine: engine)
        let expected = Self.fresh(p, config)
        #expect(small.outcome.optionsOmittedForSize == 2)
        #expect(small.outcome.optionsOmittedForSize == expected.outcome.optionsOmittedForSize)
        #expect(try #require(small.reply).bytes == expected.reply?.bytes)
        #expect(small.reply?.optionCodes == [53, 54, 51, 58, 59, 1, 3, 6, 26, 224, 225, 82])
        // A list answered only in part is not stored: asked again, the answer is the same.
        #expect(World.exchange(p, engine: engine).reply?.bytes == expected.reply?.bytes)
        #expect(World.exchange(p, engine: engine).outcome.optionsOmittedForSize == 2)
    }

    @Test("More lists than the cache holds: the oldest are replaced, every answer stays what it was")
    func replacement() throws {
        let config = Self.config()
        let engine = DHCPv4Engine(config: config, ids: World.ids)
        let lists: [[UInt8]] = [[15], [42], [121], [15, 42], [42, 15], [224], [225, 15], [43]]
        #expect(lists.count > DHCPReplyOptionsCache.slots)
        let packets = lists.map { ConfiguredOptionsTests.discover(requesting: $0, maximumSize: 1500) }
        let expected = packets.map { Self.fresh($0, config).reply?.bytes }
        for _ in 0..<3 {
            for (p, e) in zip(packets, expected) {
                #expect(World.exchange(p, engine: engine).reply?.bytes == e)
            }
        }
        for (p, e) in zip(packets.reversed(), expected.reversed()) {
            #expect(World.exchange(p, engine: engine).reply?.bytes == e)
        }
    }
}
