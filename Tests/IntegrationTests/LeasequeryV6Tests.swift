import DHCPWireKit
import ShadowCore
import ShadowTesting
import Testing

/// DHCPv6 leasequery (RFC 5007) through the real master and v6 worker (docs/leasequery.md): serve a
/// client through a relay, then ask who holds its address and its DUID, directly and relayed.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct LeasequeryV6Tests {
    static let requestor = DUID("00:03:00:01:02:00:5e:00:99:01")!

    static func query(type: UInt8, _ queryOption: [UInt8], xid: UInt32) -> [UInt8] {
        DHCPv6Packet.client(type: 14, xid: xid, [
            DHCPv6Packet.clientID(requestor),
            DHCPv6Packet.option(44, [type] + IPv6Address.any.bytes + queryOption),
        ])
    }

    /// Top-level options of `bytes` (from `at`), as (code, payload).
    static func options(_ bytes: [UInt8], from at: Int) -> [(code: UInt16, payload: [UInt8])] {
        var out: [(UInt16, [UInt8])] = []
        var i = at
        while i + 4 <= bytes.count {
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard i + 4 + length <= bytes.count else { break }
            out.append((UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]), Array(bytes[(i + 4)..<(i + 4 + length)])))
            i += 4 + length
        }
        return out
    }

    static func directory(allowed: String, extra: [String] = []) throws -> ServerDirectory {
        try ServerDirectory(reservations: Fixtures.reservations) { config in
            config.extra = [#""leasequery": {"enabled": true, "allowed": [\#(allowed)]}"#] + extra
        }
    }

    /// Sends `datagram` from `endpoint` to the server and waits for the answer with `xid`.
    static func ask(_ endpoint: UDPEndpoint, _ server: SocketAddress, _ datagram: [UInt8],
                    xid: UInt32) throws -> [UInt8]? {
        try endpoint.send(datagram, to: server)
        return try endpoint.receive(timeout: .seconds(3)) { bytes, source in
            source == server && bytes.count >= 4 && bytes[0] == 15
                && UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3]) == xid
        }?.0
    }

    @Test func aServedClientIsFoundByAddressAndByDUIDDirectlyAndRelayed() async throws {
        let metricsPort = try ManagementTests.freePort()
        let directory = try Self.directory(allowed: #""::1/128""#,
                                           extra: [#""metrics_address": "127.0.0.1:\#(metricsPort)""#])
        let relay = try RelayV6(server: directory.v6Server)
        let querier = try UDPEndpoint(bind: .v6(.loopback, port: 0))
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            let request = DHCPv6Packet.client(type: 3, xid: Fixtures.xid(), [
                DHCPv6Packet.clientID(Fixtures.macSubscriberDUID), DHCPv6Packet.serverID(Fixtures.serverIDv6),
                DHCPv6Packet.iaNA(1, DHCPv6Packet.iaAddress("2001:db8:1::10")),
                DHCPv6Packet.iaPD(2, DHCPv6Packet.iaPrefix("2001:db8:100::/56")),
            ])
            let remoteID = DHCPv6Packet.remoteID(enterprise: 4874, "bng-7/port-3")
            let served = try #require(try relay.exchange(request, options: [remoteID]), "no Reply\n\(master.output.tail())")
            #expect(served.type == DHCPv6Reply.reply)

            // By address, sent directly: the reply comes back to the querier's own port.
            var xid = Fixtures.xid()
            let byAddress = try #require(try Self.ask(querier, directory.v6Server,
                                                      Self.query(type: 1, DHCPv6Packet.iaAddress("2001:db8:1::10"), xid: xid),
                                                      xid: xid), "no LEASEQUERY-REPLY\n\(master.output.tail())")
            let top = Self.options(byAddress, from: 4)
            #expect(top.map(\.code) == [1, 2, 45, 47])
            #expect(top[0].payload == Self.requestor.bytes)
            #expect(top[1].payload == Fixtures.serverIDv6.bytes)
            let data = Self.options(top[2].payload, from: 0)
            #expect(data.map(\.code) == [1, 5, 26, 46])
            #expect(data[0].payload == Fixtures.macSubscriberDUID.bytes)
            #expect(IPv6Address(networkBytes: data[1].payload.prefix(16)) == IPv6Address("2001:db8:1::10")!)
            let valid = data[1].payload[20..<24].reduce(0) { $0 << 8 | UInt32($1) }
            #expect((43_190...43_200).contains(valid), "remaining valid lifetime \(valid)")
            #expect(data[3].payload.reduce(0) { $0 << 8 | UInt32($1) } <= 10)
            // The relay's address and its Relay-forward without the client's Request.
            let relayData = top[3].payload
            #expect(IPv6Address(networkBytes: relayData.prefix(16)) == .loopback)
            let chain = Array(relayData.dropFirst(16))
            #expect(chain.first == 12)
            #expect(IPv6Address(networkBytes: chain[2..<18]) == relay.linkAddress)
            #expect(Self.options(chain, from: 34).map(\.code) == [135, 37])

            // By DUID, relayed: a Relay-reply to the relay.
            xid = Fixtures.xid()
            try relay.send(raw: relay.relayForward(Self.query(type: 2, DHCPv6Packet.clientID(Fixtures.macSubscriberDUID), xid: xid),
                                                   peer: IPv6Address("2001:db8:ffff::2")!))
            let relayed = try #require(try relay.endpoint.receive(timeout: .seconds(3)) { bytes, _ in bytes.first == 13 }?.0)
            let inner = try #require(Self.options(relayed, from: 34).first { $0.code == 9 }?.payload)
            #expect(Array(inner[0..<4]) == [15, UInt8(xid >> 16), UInt8(xid >> 8 & 0xFF), UInt8(xid & 0xFF)])
            #expect(Self.options(inner, from: 4).map(\.code) == [1, 2, 45, 47])

            // A reserved address never served: Success without client data; an unknown one: NotConfigured.
            xid = Fixtures.xid()
            let idle = try #require(try Self.ask(querier, directory.v6Server,
                                                 Self.query(type: 1, DHCPv6Packet.iaAddress("2001:db8:1::11"), xid: xid), xid: xid))
            #expect(Self.options(idle, from: 4).map(\.code) == [1, 2])
            xid = Fixtures.xid()
            let unknown = try #require(try Self.ask(querier, directory.v6Server,
                                                    Self.query(type: 1, DHCPv6Packet.iaAddress("2001:db8:9::9"), xid: xid), xid: xid))
            #expect(Self.options(unknown, from: 4).first { $0.code == 13 }?.payload.prefix(2) == [0, 9])

            // Counted by query type and result, and logged.
            let metrics = try await eventually(timeout: .seconds(5), "leasequery counters in /metrics") {
                let text = try ManagementTests.httpGet(port: metricsPort, path: "/metrics")
                return text.contains(#"shadowdhcp_leasequery_total{protocol="v6",transport="udp",query="Address",result="NotConfigured"} 1"#)
                    ? text : nil
            }
            #expect(metrics.contains(#"shadowdhcp_leasequery_total{protocol="v6",transport="udp",query="Address",result="Data"} 1"#))
            #expect(metrics.contains(#"shadowdhcp_leasequery_total{protocol="v6",transport="udp",query="Address",result="NoData"} 1"#))
            #expect(metrics.contains(#"shadowdhcp_leasequery_total{protocol="v6",transport="udp",query="ClientID",result="Data"} 1"#))
            _ = try await eventually(timeout: .seconds(3), "a log line per query") {
                master.lines.filter { $0.message == "DHCPv6 leasequery" }.count == 4 ? true : nil
            }
        }
    }

    @Test func aQuerierOutsideAllowedGetsNotAllowedAndNoData() async throws {
        let directory = try Self.directory(allowed: #""2001:db8:ffff::/48""#)
        let relay = try RelayV6(server: directory.v6Server)
        let querier = try UDPEndpoint(bind: .v6(.loopback, port: 0))
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            let request = DHCPv6Packet.client(type: 3, xid: Fixtures.xid(), [
                DHCPv6Packet.clientID(Fixtures.macSubscriberDUID), DHCPv6Packet.serverID(Fixtures.serverIDv6),
                DHCPv6Packet.iaNA(1), DHCPv6Packet.iaPD(2),
            ])
            #expect(try relay.exchange(request)?.type == DHCPv6Reply.reply)
            let xid = Fixtures.xid()
            let reply = try #require(try Self.ask(querier, directory.v6Server,
                                                  Self.query(type: 2, DHCPv6Packet.clientID(Fixtures.macSubscriberDUID), xid: xid),
                                                  xid: xid), "no reply\n\(master.output.tail())")
            let top = Self.options(reply, from: 4)
            #expect(top.map(\.code) == [1, 2, 13])
            #expect(top[2].payload.prefix(2) == [0, 10])
            let line = try await eventually(timeout: .seconds(3), "the leasequery log line") {
                master.lines.first { $0.message == "DHCPv6 leasequery" }
            }
            #expect(line.fields["result"] == "NotAllowed", "\(line)")
        }
    }

    /// Subscriber `n`: 2001:db8:1::`n`, DUID-keyed.
    static func subscriber(_ n: Int) -> TestReservation {
        TestReservation(ipv4: "198.51.100.\(n)", ipv6NA: "2001:db8:1::\(n)", ipv6PD: "2001:db8:\(n)00::/56",
                        duid: "00:03:00:01:00:00:00:00:00:\(String(format: "%02x", n))")
    }

    static func address(ofClientData message: [UInt8]) -> IPv6Address? {
        guard let data = options(message, from: 4).first(where: { $0.code == 45 }),
              let ia = options(data.payload, from: 0).first(where: { $0.code == 5 }) else { return nil }
        return IPv6Address(networkBytes: ia.payload.prefix(16))
    }

    @Test func aBulkQueryByRemoteIdOverTCPStreamsTheServedClientsInOrderThenDone() async throws {
        let directory = try ServerDirectory(reservations: [30, 10, 20, 40, 50].map(Self.subscriber)) { config in
            config.extra = [#""leasequery": {"enabled": true, "allowed": ["::1/128"], "bulk": true}"#]
        }
        let relay = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            // 30, 10 and 20 behind olt-7, 40 behind olt-8; 50 never served.
            for (n, remote) in [(30, "olt-7"), (10, "olt-7"), (40, "olt-8"), (20, "olt-7")] {
                let request = DHCPv6Packet.client(type: 3, xid: Fixtures.xid(), [
                    DHCPv6Packet.clientID(DUID(Self.subscriber(n).duid!)!), DHCPv6Packet.serverID(Fixtures.serverIDv6),
                    DHCPv6Packet.iaNA(1), DHCPv6Packet.iaPD(2),
                ])
                let reply = try relay.exchange(request, options: [DHCPv6Packet.remoteID(enterprise: 4874, remote)])
                #expect(reply?.type == DHCPv6Reply.reply, "no Reply for \(n)\n\(master.output.tail())")
            }
            let client = try FramedTCPClient(connectingTo: directory.v6Server)
            let query = DHCPv6Packet.client(type: 14, xid: 0x0a0b0c, [
                DHCPv6Packet.clientID(Self.requestor),
                DHCPv6Packet.option(44, [5] + IPv6Address.any.bytes + DHCPv6Packet.remoteID(enterprise: 4874, "olt-7")),
            ])
            try client.send(message: query)
            var messages: [[UInt8]] = []
            while let m = try client.receive(timeout: .seconds(5)) {
                messages.append(m)
                if m.first == 16 || m.first == 15 && !Self.options(m, from: 4).contains(where: { $0.code == 45 }) { break }
            }
            #expect(messages.map(\.first) == [15, 17, 17, 16], "\(master.output.tail())")
            #expect(messages.allSatisfy { Array($0[1..<4]) == [0x0a, 0x0b, 0x0c] })
            #expect(messages.dropLast().map(Self.address(ofClientData:))
                    == ["2001:db8:1::10", "2001:db8:1::20", "2001:db8:1::30"].map { IPv6Address($0) })

            // A frame that is no LEASEQUERY closes only its own connection.
            let bad = try FramedTCPClient(connectingTo: directory.v6Server)
            try bad.send(message: [1, 2, 3])
            #expect(try bad.closesWithin(.seconds(3)))
            let byLink = DHCPv6Packet.client(type: 14, xid: 0x0d0e0f, [
                DHCPv6Packet.clientID(Self.requestor),
                DHCPv6Packet.option(44, [4] + relay.linkAddress.bytes),
            ])
            try client.send(message: byLink)
            var again: [UInt8?] = []
            while let m = try client.receive(timeout: .seconds(5)) {
                again.append(m.first)
                if m.first == 16 { break }
            }
            #expect(again == [15, 17, 17, 17, 16])
            #expect(!client.isClosed)
        }
    }
}
