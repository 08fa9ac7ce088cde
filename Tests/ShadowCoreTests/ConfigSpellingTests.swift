import Testing
@testable import ShadowCore

@Suite("config.json: seed and HEAD spellings")
struct ConfigSpellingTests {
    @Test("seed log_level and HEAD logging.level", arguments: [
        (#""log_level": "warn""#, LogLevel.warn),
        (#""log_level": "TRACE""#, .trace),
        (#""log_level": "1""#, .error),
        (#""log_level": """#, .info),
        (#""logging": {"level": "5"}"#, .trace),
        (#""logging": {"level": "Debug"}"#, .debug),
        (#""logging": {}"#, .info),
    ])
    func levels(_ extra: String, _ level: LogLevel) throws {
        #expect(try #require(config(extra)).logging.level == level)
    }

    @Test("logging.format", arguments: [
        (#""logging": {"format": "text"}"#, LogFormat?.some(.text)),
        (#""logging": {"format": "json"}"#, .json),
        (#""logging": {"level": "info"}"#, nil),
        (#""log_level": "info""#, nil),
    ])
    func formats(_ extra: String, _ format: LogFormat?) throws {
        #expect(try #require(config(extra)).logging.format == format)
    }

    @Test func seedEventsAddress() throws {
        let c = try #require(config(#""events_address": "192.0.2.9:9000""#))
        #expect(c.events == EventSettings(queueSize: 16384, tcp: .v4(IPv4Address(192, 0, 2, 9), port: 9000)))
    }

    @Test func headEvents() throws {
        let c = try #require(config(#""events": {"tcp": "192.0.2.9:9000"}"#))
        #expect(c.events == EventSettings(queueSize: 16384, tcp: .v4(IPv4Address(192, 0, 2, 9), port: 9000)))
    }

    @Test("both spellings of one setting", arguments: [
        (#""log_level": "info", "logging": {"level": "info"}"#,
         "config.json: log_level: give either log_level (older spelling) or logging, not both"),
        (#""events_address": "127.0.0.1:9000", "events": {}"#,
         "config.json: events_address: give either events_address (older spelling) or events, not both"),
    ])
    func conflicting(_ extra: String, _ message: String) {
        #expect(configErrors(configText(extra)) == [message])
    }

    @Test func nullSpellingDoesNotConflict() throws {
        let c = try #require(config(#""log_level": "debug", "logging": null, "events_address": null, "events": {}"#))
        #expect(c.logging.level == .debug)
    }

    @Test("MAC extractor names", arguments: [
        (#"["client_linklayer_address", "peer_addr_eui64", "duid"]"#, [MACExtractor.clientLinklayerAddress, .peerAddrEUI64, .duid]),
        (#"["ClientLinklayerAddress", "PeerAddrEui64", "Duid"]"#, [.clientLinklayerAddress, .peerAddrEUI64, .duid]),
        (#"["Duid", "client_linklayer_address"]"#, [.duid, .clientLinklayerAddress]),
        (#"[]"#, [.clientLinklayerAddress]),
        (#"["duid", "duid"]"#, [.duid, .duid]),
    ])
    func macExtractors(_ list: String, _ expected: [MACExtractor]) throws {
        #expect(try #require(config(#""mac_extractors": "# + list)).macExtractors == expected)
    }
}

@Suite("ids.json")
struct IdentifiersTests {
    @Test func valid() throws {
        let ids = try ConfigurationLoader.loadIdentifiers(Array(#"{"v4": "192.0.2.1", "v6": "00:03:00:01:02:00:5e:00:00:01"}"#.utf8))
        #expect(ids == ServerIdentifiers(v4: IPv4Address(192, 0, 2, 1),
                                         v6: DUID(bytes: [0, 3, 0, 1, 2, 0, 0x5e, 0, 0, 1])))
    }

    @Test("problems", arguments: [
        (#"{"v4": "192.0.2.1"}"#, ["ids.json: v6: missing required field"]),
        (#"{"v4": "192.0.2.01", "v6": "0:1"}"#,
         [#"ids.json: v4: invalid IPv4 address "192.0.2.01"; expected a dotted quad such as 192.0.2.1, without leading zeros"#,
          #"ids.json: v6: Invalid DUID format "0:1"; expected hex bytes separated by ':' or '-', such as 00:03:00:01:02:00:5e:00:00:01"#]),
        (#"{"v4": "192.0.2.1", "v6": "00:01", "v5": 1}"#, ["ids.json: v5: unknown field; allowed: v4, v6"]),
        (#"{"v4": 1, "v6": []}"#, ["ids.json: v4: expected a string, got a number", "ids.json: v6: expected a string, got an array"]),
        (#"[]"#, ["ids.json: expected an object, got an array"]),
        ("{\"v4\":", ["ids.json: line 1, column 7: unexpected end of input, expected a value"]),
    ])
    func problems(_ text: String, _ expected: [String]) {
        #expect(identifierErrors(text) == expected)
    }
}
