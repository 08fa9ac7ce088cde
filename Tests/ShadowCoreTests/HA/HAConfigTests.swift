import Testing
@testable import ShadowCore

@Suite("HA: config.json `ha`")
struct HAConfigTests {
    static let valid = #""ha": {"this_server": "dhcp-a", "mode": "load-balancing", "listen": "192.0.2.1:8548", "key_file": "/etc/shadowdhcp/ha.key", "peers": [{"name": "dhcp-b", "address": "192.0.2.2:8548"}], "heartbeat_ms": 500, "max_missed_heartbeats": 4}"#

    @Test("The issue's example loads with every field")
    func loads() throws {
        let c = try #require(config(Self.valid))
        let ha = try #require(c.ha)
        #expect(ha.thisServer == "dhcp-a")
        #expect(ha.mode == .loadBalancing)
        #expect(ha.listen == SocketAddress("192.0.2.1:8548"))
        #expect(ha.keyFile == "/etc/shadowdhcp/ha.key")
        #expect(ha.peers == [HASettings.Peer(name: "dhcp-b", address: SocketAddress("192.0.2.2:8548")!)])
        #expect(ha.heartbeatMilliseconds == 500 && ha.maxMissedHeartbeats == 4)
        #expect(ha.downAfterMilliseconds == 2000)
        #expect(ha.serverNames == ["dhcp-a", "dhcp-b"])
    }

    @Test("Defaults: active-active, 1000 ms, 3 missed; no `ha`, no HA")
    func defaults() throws {
        let c = try #require(config(#""ha": {"this_server": "b", "listen": "192.0.2.1:8548", "key_file": "/k", "peers": [{"name": "a", "address": "192.0.2.2:8548"}]}"#))
        #expect(c.ha?.mode == .activeActive)
        #expect(c.ha?.heartbeatMilliseconds == 1000 && c.ha?.maxMissedHeartbeats == 3)
        #expect(c.ha?.serverNames == ["a", "b"])
        #expect(config("")?.ha == nil)
    }

    static func errors(_ ha: String) -> [String] { configErrors(configText("\"ha\": " + ha)) }

    @Test("Each bad field is named with its path", arguments: [
        (#"{"this_server": "a", "mode": "primary-backup", "listen": "192.0.2.1:1", "key_file": "/k", "peers": [{"name": "b", "address": "192.0.2.2:1"}]}"#,
         "config.json: ha.mode: "),
        (#"{"this_server": "a", "mode": "hot-standby", "primary": "c", "listen": "192.0.2.1:1", "key_file": "/k", "peers": [{"name": "b", "address": "192.0.2.2:1"}]}"#,
         "config.json: ha.primary: \"c\" is not a server"),
        (#"{"this_server": "a", "mode": "hot-standby", "listen": "192.0.2.1:1", "key_file": "/k", "peers": [{"name": "b", "address": "192.0.2.2:1"}]}"#,
         "config.json: ha.primary: is required with mode hot-standby"),
        (#"{"this_server": "a", "primary": "a", "listen": "192.0.2.1:1", "key_file": "/k", "peers": [{"name": "b", "address": "192.0.2.2:1"}]}"#,
         "config.json: ha.primary: applies only to mode hot-standby"),
        (#"{"this_server": "a", "listen": "192.0.2.1:1", "key_file": "/k", "peers": [{"name": "a", "address": "192.0.2.2:1"}]}"#,
         "config.json: ha.peers[0].name: \"a\" is this server's own name"),
        (#"{"this_server": "a", "listen": "192.0.2.1:1", "key_file": "/k", "peers": [{"name": "b", "address": "192.0.2.2:1"}, {"name": "b", "address": "192.0.2.3:1"}]}"#,
         "config.json: ha.peers[1].name: \"b\" is also the name of peers[0]"),
        (#"{"this_server": "a", "listen": "192.0.2.1:1", "key_file": "/k", "peers": [{"name": "b", "address": "192.0.2.2:1"}, {"name": "c", "address": "192.0.2.2:1"}]}"#,
         "config.json: ha.peers[1].address: 192.0.2.2:1 is also the address of peers[0]"),
        (#"{"this_server": "a", "listen": "192.0.2.1:1", "key_file": "/k", "peers": [{"name": "b", "address": "192.0.2.2"}]}"#,
         "config.json: ha.peers[0].address: "),
        (#"{"this_server": "a", "listen": "192.0.2.1:1", "key_file": "k", "peers": [{"name": "b", "address": "192.0.2.2:1"}]}"#,
         "config.json: ha.key_file: must be an absolute path"),
        (#"{"this_server": "a", "listen": "192.0.2.1:1", "key_file": "/k", "peers": [], "heartbeat_ms": 50}"#,
         "config.json: ha.heartbeat_ms: must be between 100 and 60000"),
        (#"{"this_server": "a", "listen": "192.0.2.1:1", "key_file": "/k", "peers": [], "max_missed_heartbeats": 0}"#,
         "config.json: ha.max_missed_heartbeats: must be between 1 and 100"),
        (#"{"this_server": "a", "listen": "192.0.2.1:1", "key_file": "/k", "peers": []}"#,
         "config.json: ha.peers: must name at least one peer"),
        (#"{"this_server": "a b", "listen": "192.0.2.1:1", "key_file": "/k", "peers": [{"name": "b", "address": "192.0.2.2:1"}]}"#,
         "config.json: ha.this_server: must be 1-64 characters"),
        (#"{"this_server": "a", "listen": "192.0.2.1:1", "key_file": "/k", "peers": [{"name": "b", "address": "192.0.2.2:1"}], "port": 1}"#,
         "config.json: ha.port: unknown field"),
    ])
    func bad(ha: String, expectedPrefix: String) {
        let errors = Self.errors(ha)
        #expect(errors.contains { $0.hasPrefix(expectedPrefix) }, "\(errors)")
    }

    @Test("At most 8 peers")
    func tooManyPeers() {
        let peers = (0..<9).map { #"{"name": "p\#($0)", "address": "192.0.2.\#(10 + $0):1"}"# }.joined(separator: ", ")
        let errors = Self.errors(#"{"this_server": "a", "listen": "192.0.2.1:1", "key_file": "/k", "peers": [\#(peers)]}"#)
        #expect(errors.contains { $0.hasPrefix("config.json: ha.peers: at most 8 peers, got 9") }, "\(errors)")
    }
}
