import DHCPWireKit
import DHCPv4
import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// Last served and `online` through the real processes (docs/operations.md, "Last served and
/// online"): a relayed DORA and SARR, then `lookup`, `online` and `/metrics` over the management
/// socket and the metrics listener.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct LastServedTests {
    static func field(_ line: String, _ name: String) throws -> JSONValue? {
        try JSONValue.parse(Array(line.utf8))[name]
    }

    static func number(_ v: JSONValue?) -> Int? {
        if case .number(let n)? = v { return Int(n.text) }
        return nil
    }

    /// With two workers per protocol, one answers the exchange and the master merges both.
    @Test(arguments: [1, 2])
    func aServedClientShowsItsLastServedTimeAndCountsAsOnline(workers: Int) async throws {
        let metricsPort = try ManagementTests.freePort()
        let directory = try ServerDirectory(reservations: Fixtures.reservations) { config in
            config.extra = [#""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/mgmt.sock""#,
                            #""metrics_address": "127.0.0.1:\#(metricsPort)""#,
                            #""workers_v4": \#(workers)"#, #""workers_v6": \#(workers)"#]
        }
        let socketPath = directory.file("mgmt.sock")
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            _ = try await eventually(timeout: .seconds(5), "every worker serving the snapshot") {
                let applied = master.lines.filter { $0.message.hasSuffix("worker applied snapshot") }.count
                return applied >= 2 * workers ? applied : nil
            }
            func ask(_ line: String) throws -> String { try ManagementTests.request(socketPath, line) }
            let lookupMAC = #"{"command":"lookup","mac":"00-11-22-33-44-55"}"#

            // Nothing served yet; an OFFER and an Advertise do not count.
            let mac = Fixtures.macSubscriberMAC
            let offer = try #require(try relay4.exchange(.discover(mac: mac, xid: Fixtures.xid())),
                                     "no OFFER\n\(master.output.tail())")
            let advertise = try #require(try relay6.exchange(DHCPv6Packet.solicit(duid: Fixtures.macSubscriberDUID,
                                                                                  xid: Fixtures.xid())))
            #expect(advertise.type == DHCPv6Reply.advertise)
            var line = try ask(lookupMAC)
            #expect(try Self.field(line, "last_served_v4") == .null, "\(line)")
            #expect(try Self.field(line, "last_served_v6") == .null, "\(line)")

            // REQUEST → ACK and Request → Reply.
            let before = Int(time(nil))
            let ack = try #require(try relay4.exchange(.request(mac: mac, xid: Fixtures.xid(), address: offer.yiaddr,
                                                                server: Fixtures.serverIDv4)))
            #expect(ack.messageType == DHCPv4Reply.ack)
            let request = DHCPv6Packet.client(type: 3, xid: Fixtures.xid(), [
                DHCPv6Packet.clientID(Fixtures.macSubscriberDUID), DHCPv6Packet.serverID(Fixtures.serverIDv6),
                DHCPv6Packet.iaNA(1, DHCPv6Packet.iaAddress("2001:db8:1::10")),
                DHCPv6Packet.iaPD(2, DHCPv6Packet.iaPrefix("2001:db8:100::/56")),
            ])
            let reply = try #require(try relay6.exchange(request), "no Reply\n\(master.output.tail())")
            #expect(reply.type == DHCPv6Reply.reply)
            let after = Int(time(nil)) + 1

            line = try ask(lookupMAC)
            let v4 = try #require(Self.number(try Self.field(line, "last_served_v4")), "\(line)")
            let v6 = try #require(Self.number(try Self.field(line, "last_served_v6")), "\(line)")
            #expect((before - 1...after).contains(v4), "\(line)")
            #expect((before - 1...after).contains(v6), "\(line)")

            // The Option 82 subscriber was never served.
            line = try ask(#"{"command":"lookup","option82":{"circuit":"eth1:100","remote":"olt-7"}}"#)
            #expect(try Self.field(line, "v4") != .null, "\(line)")
            #expect(try Self.field(line, "last_served_v4") == .null, "\(line)")
            #expect(try Self.field(line, "last_served_v6") == .null, "\(line)")

            line = try ask(#"{"command":"online"}"#)
            #expect(line.hasPrefix(#"{"success":true,"message":"1 of 2 reservations online on DHCPv4, 1 on DHCPv6","now":"#),
                    "\(line)")
            #expect(line.contains(#""v4":{"lease_time":3600,"reservations":2,"online":1,"subnets":[{"subnet":"198.51.100.0/24","reservations":1,"online":1},{"subnet":"100.64.0.0/10","reservations":1,"online":0}]}"#),
                    "\(line)")
            #expect(line.contains(#""v6":{"valid_lifetime":43200,"reservations":2,"online":1},"missing_workers":[]}"#), "\(line)")

            let metrics = try ManagementTests.httpGet(port: metricsPort, path: "/metrics")
            #expect(metrics.contains(#"shadowdhcp_online_reservations{protocol="v4",subnet="198.51.100.0/24"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"shadowdhcp_online_reservations{protocol="v4",subnet="100.64.0.0/10"} 0"#))
            #expect(metrics.contains(#"shadowdhcp_online_reservations{protocol="v6",subnet="all"} 1"#))
            #expect(metrics.contains("shadowdhcp_online_workers_missing 0"))
        }
    }

    @Test func aReloadThatChangesTheReservationForgetsItsTime() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations) { config in
            config.extra = [#""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/mgmt.sock""#]
        }
        let socketPath = directory.file("mgmt.sock")
        let relay4 = try RelayV4(server: directory.v4Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            func ask(_ line: String) throws -> String { try ManagementTests.request(socketPath, line) }
            let mac = Fixtures.macSubscriberMAC
            let ack = try #require(try relay4.exchange(.request(mac: mac, xid: Fixtures.xid(),
                                                                address: IPv4Address("198.51.100.10")!,
                                                                server: Fixtures.serverIDv4)))
            #expect(ack.messageType == DHCPv4Reply.ack)
            let lookup = #"{"command":"lookup","mac":"00-11-22-33-44-55"}"#
            #expect(Self.number(try Self.field(try ask(lookup), "last_served_v4")) != nil)

            // Unchanged entries keep their time over a reload; a changed address starts again.
            var output = master.lines.count
            #expect(try ask(#"{"command":"reload"}"#).hasPrefix(#"{"success":true"#))
            try await ReloadTests.waitForSnapshot(2, master, after: output)
            #expect(Self.number(try Self.field(try ask(lookup), "last_served_v4")) != nil)

            var moved = Fixtures.macSubscriber
            moved.ipv4 = "198.51.100.12"
            try directory.writeReservations([moved, Fixtures.relaySubscriber])
            output = master.lines.count
            #expect(try ask(#"{"command":"reload"}"#).hasPrefix(#"{"success":true"#))
            try await ReloadTests.waitForSnapshot(3, master, after: output)
            let line = try ask(lookup)
            #expect(try Self.field(line, "last_served_v4") == .null, "\(line)")
        }
    }
}
