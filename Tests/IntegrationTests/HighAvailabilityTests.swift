import DHCPWireKit
import Foundation
import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// Two real masters on loopback sharing bindings over the HA peer channel (docs/high-availability.md).
/// The relays, dhclient and the modes' take-over are exercised in network namespaces by
/// Tests/interop/ha; these check the channel through the real processes, sandbox included.
@Suite(.needsRoot, .timeLimit(.minutes(2)))
struct HighAvailabilityTests {
    /// One server of a pair: its directory, management socket and HA port.
    struct Server {
        let name: String
        let directory: ServerDirectory
        var socket: String { directory.file("run/mgmt.sock") }
    }

    /// Two directories that name each other as peers; `keyB` replaces B's key (a wrong key).
    static func pair(mode: String = "active-active", keyB: String? = nil, serverIDs: (String, String) = ("203.0.113.1", "203.0.113.2"))
        throws -> (Server, Server) {
        let ports = (try ManagementTests.freePort(), try ManagementTests.freePort())
        func make(_ name: String, _ other: String, _ port: UInt16, _ otherPort: UInt16, _ key: String,
                  _ serverID: String) throws -> Server {
            let directory = try ServerDirectory(reservations: Fixtures.reservations) { config in
                let dir = String(config.stateDir.dropLast("/state".count))
                config.serverIDv4 = serverID
                config.extra = [
                    #""mgmt_socket": "\#(dir)/run/mgmt.sock""#,
                    #""ha": {"this_server": "\#(name)", "mode": "\#(mode)", "listen": "127.0.0.1:\#(port)", "key_file": "\#(dir)/ha.key", "peers": [{"name": "\#(other)", "address": "127.0.0.1:\#(otherPort)"}], "heartbeat_ms": 200, "max_missed_heartbeats": 3}"#,
                ]
            }
            try Files.write(key, to: directory.file("ha.key"))
            Files.setMode(directory.file("ha.key"), 0o600)
            return Server(name: name, directory: directory)
        }
        let key = String(repeating: "5a", count: 32)
        return (try make("dhcp-a", "dhcp-b", ports.0, ports.1, key, serverIDs.0),
                try make("dhcp-b", "dhcp-a", ports.1, ports.0, keyB ?? key, serverIDs.1))
    }

    /// `peers` over the management socket, decoded.
    static func peers(_ server: Server) throws -> [String: Any] {
        let line = try ManagementTests.request(server.socket, #"{"command":"peers"}"#)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return try #require(object, "\(line)")
    }

    /// The one peer's entry of `peers`.
    static func peer(_ server: Server) throws -> [String: Any] {
        let list = try #require(try peers(server)["peers"] as? [[String: Any]])
        return try #require(list.first)
    }

    static func waitForState(_ server: Server, _ state: String, timeout: Duration = .seconds(10)) async throws {
        _ = try await eventually(timeout: timeout, "\(server.name) to see its peer \(state)") {
            try peer(server)["state"] as? String == state ? true : nil
        }
    }

    /// A binding learned by one server reaches the other, which then answers the DHCPv6 client
    /// that needs it without ever having seen its DHCPv4 traffic.
    @Test func aBindingLearnedByOneServerServesTheOther() async throws {
        let (a, b) = try Self.pair()
        let relay4 = try RelayV4(server: a.directory.v4Server)
        let relayB6 = try RelayV6(server: b.directory.v6Server)
        try await withMaster(a.directory) { ma in
            try await withMaster(b.directory) { mb in
                _ = try await ma.waitUntilServing()
                _ = try await mb.waitUntilServing()
                try await Self.waitForState(a, "up")
                try await Self.waitForState(b, "up")
                // Until its first table pull is done a server holds back DHCPv6 that needs a binding.
                for server in [a, b] {
                    _ = try await eventually(timeout: .seconds(10), "\(server.name) to finish its table pull") {
                        try Self.peers(server)["table_synced"] as? Bool == true ? true : nil
                    }
                }
                #expect(try Self.solicitRelaySubscriber(relayB6, timeout: .milliseconds(300)) == nil)

                try Scenarios.learnRelayBinding(relay4, master: ma)
                let advertise = try await Scenarios.solicitRelaySubscriberUntilAnswered(relayB6, carrier: .option79,
                                                                                       timeout: .seconds(3))
                Scenarios.expectRelaySubscriberLeases(advertise)
                let sent = try Self.peer(a)["bindings_sent"] as? Int
                let received = try Self.peer(b)["bindings_received"] as? Int
                #expect(sent == 1 && received == 1, "sent \(String(describing: sent)), received \(String(describing: received))")
                let report = try Self.peers(a)
                #expect(report["mode"] as? String == "active-active")
                #expect(report["answering"] as? [String] == ["dhcp-a", "dhcp-b"])
                #expect(try Self.peer(a)["snapshot_digest_match"] as? Bool == true)
            }
        }
    }

    /// A server started with an empty state directory pulls its peer's table and answers the
    /// correlation before any DHCPv4 traffic reaches it.
    @Test func aServerStartedEmptyPullsThePeersTable() async throws {
        let (a, b) = try Self.pair()
        let relay4 = try RelayV4(server: a.directory.v4Server)
        let relayB6 = try RelayV6(server: b.directory.v6Server)
        try await withMaster(a.directory) { ma in
            _ = try await ma.waitUntilServing()
            try Scenarios.learnRelayBinding(relay4, master: ma)
            try await withMaster(b.directory) { mb in
                _ = try await mb.waitUntilServing()
                let advertise = try await Scenarios.solicitRelaySubscriberUntilAnswered(relayB6, carrier: .option79,
                                                                                       timeout: .seconds(5))
                Scenarios.expectRelaySubscriberLeases(advertise)
                #expect(try Self.peers(b)["table_synced"] as? Bool == true)
            }
        }
    }

    /// A peer with another key is refused on both sides, reported `unauthenticated`, and counted.
    @Test func aPeerWithTheWrongKeyIsUnauthenticated() async throws {
        let (a, b) = try Self.pair(keyB: String(repeating: "c3", count: 32))
        try await withMaster(a.directory) { ma in
            try await withMaster(b.directory) { mb in
                _ = try await ma.waitUntilServing()
                _ = try await mb.waitUntilServing()
                try await Self.waitForState(a, "unauthenticated")
                try await Self.waitForState(b, "unauthenticated")
                // Logged with the peer's address and the reason.
                try await ma.waitForLine("a refused peer connection logged") { line in
                    line.process == "ops" && line.fields["ha.reason"] == "authentication"
                        && line.text.contains("127.0.0.1")
                }
            }
        }
    }

    static func solicitRelaySubscriber(_ relay: RelayV6, timeout: Duration) throws -> DHCPv6Reply? {
        try Scenarios.solicitRelaySubscriber(relay, carrier: .option79, timeout: timeout)
    }
}
