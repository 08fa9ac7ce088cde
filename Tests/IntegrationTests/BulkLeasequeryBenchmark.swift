import DHCPWireKit
import DHCPv4
import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// docs/performance.md, "Bulk leasequery": 10,000 served reservations behind one remote-id, streamed
/// by one DHCPBULKLEASEQUERY through the real master and v4 worker. A benchmark, not a timed test:
/// it runs only with `SHADOW_BENCH_BULK=1`, prints its figures and checks only the answer.
///
///     SHADOW_BENCH_BULK=1 swift test --skip-build --no-parallel --filter BulkLeasequeryBenchmark
@Suite(.needsRoot, .enabled(if: getenv("SHADOW_BENCH_BULK") != nil, "a benchmark: set SHADOW_BENCH_BULK=1"),
       .timeLimit(.minutes(10)))
struct BulkLeasequeryBenchmark {
    static let count = 10_000

    static func reservation(_ i: Int) -> TestReservation {
        TestReservation(ipv4: "100.64.\(1 + i / 250).\(1 + i % 250)", ipv6NA: "2001:db8:1::\(String(i + 1, radix: 16))",
                        ipv6PD: "2001:db8:\(String(0x1000 + i, radix: 16))::/56",
                        option82: .init(circuit: "c\(i)", remote: "olt-bench"))
    }

    @Test func tenThousandLeasesStreamedByOneBulkQuery() async throws {
        let reservations = (0..<Self.count).map(Self.reservation)
        let directory = try ServerDirectory(reservations: reservations) { config in
            config.extra = [#""leasequery": {"enabled": true, "allowed": ["127.0.0.0/8"], "bulk": true}"#]
        }
        let relay = try RelayV4(server: directory.v4Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing(timeout: .seconds(60))
            let clock = ContinuousClock()
            func ms(_ d: Duration) -> String {
                let (seconds, attoseconds) = d.components
                let tenths = (seconds * 10_000 + attoseconds / 100_000_000_000_000)
                return "\(tenths / 10).\(tenths % 10)"
            }
            let serveStart = clock.now
            for (i, r) in reservations.enumerated() {
                let mac = MACAddress(value: 0x0200_0000_0000 | UInt64(i))
                let ack = try relay.exchange(.request(mac: mac, xid: UInt32(i + 1), address: IPv4Address(r.ipv4)!,
                                                      server: Fixtures.serverIDv4, option82: r.option82))
                try #require(ack?.messageType == DHCPv4Reply.ack, "no ACK for \(r.ipv4)")
            }
            print("served \(Self.count) clients (one REQUEST each) in \(ms(clock.now - serveStart)) ms")
            for round in 1...3 {
                let q = LeasequeryTests.query({ $0.relayAgentInformation(remote: "olt-bench") }, bulk: true)
                let start = clock.now
                let client = try FramedTCPClient(connectingTo: directory.v4Server)
                try client.send(message: q.bytes)
                var active = 0, bytes = 0, last = IPv4Address.any, ordered = true
                var first: ContinuousClock.Instant?
                while let m = try client.receive(timeout: .seconds(30)) {
                    if first == nil { first = clock.now }
                    bytes += 2 + m.count
                    guard m.count > 242, m[242] == 13 || m[242] == 15 else { break }
                    if m[242] == 15 { break }
                    let address = IPv4Address(UInt32(m[12]) << 24 | UInt32(m[13]) << 16 | UInt32(m[14]) << 8 | UInt32(m[15]))
                    if address.value <= last.value { ordered = false }
                    last = address
                    active += 1
                }
                let total = clock.now - start
                print("round \(round): \(active) DHCPLEASEACTIVE + DONE, \(bytes) bytes, first reply after "
                      + "\(ms((first ?? start) - start)) ms, DONE after \(ms(total)) ms")
                #expect(active == Self.count && ordered)
            }
        }
    }

    /// The DHCPv6 counterpart: 10,000 DUID-keyed reservations served through one relay whose
    /// Relay-forwards carry one Remote-ID, then one LEASEQUERY by that remote-id over TCP (RFC 5460).
    @Test func tenThousandClientsStreamedByOneDHCPv6BulkQuery() async throws {
        func duid(_ i: Int) -> DUID { DUID(bytes: [0, 3, 0, 1, 2, 0] + DHCPv6Packet.be32(UInt32(i))) }
        let reservations = (0..<Self.count).map { i in
            TestReservation(ipv4: "100.64.\(1 + i / 250).\(1 + i % 250)", ipv6NA: "2001:db8:1::\(String(i + 1, radix: 16))",
                            ipv6PD: "2001:db8:\(String(0x1000 + i, radix: 16))::/56", duid: duid(i).description)
        }
        let directory = try ServerDirectory(reservations: reservations) { config in
            config.extra = [#""leasequery": {"enabled": true, "allowed": ["::1/128"], "bulk": true}"#]
        }
        let relay = try RelayV6(server: directory.v6Server)
        let remoteID = DHCPv6Packet.remoteID(enterprise: 4874, "olt-bench")
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing(timeout: .seconds(60))
            let clock = ContinuousClock()
            func ms(_ d: Duration) -> String {
                let (seconds, attoseconds) = d.components
                let tenths = (seconds * 10_000 + attoseconds / 100_000_000_000_000)
                return "\(tenths / 10).\(tenths % 10)"
            }
            let serveStart = clock.now
            for i in 0..<Self.count {
                let request = DHCPv6Packet.client(type: 3, xid: UInt32(i + 1), [
                    DHCPv6Packet.clientID(duid(i)), DHCPv6Packet.serverID(Fixtures.serverIDv6), DHCPv6Packet.iaNA(1),
                ])
                let reply = try relay.exchange(request, options: [remoteID])
                try #require(reply?.type == DHCPv6Reply.reply, "no Reply for client \(i)")
            }
            print("served \(Self.count) DHCPv6 clients (one Request each) in \(ms(clock.now - serveStart)) ms")
            let query = DHCPv6Packet.client(type: 14, xid: 0x00beef, [
                DHCPv6Packet.clientID("00:03:00:01:02:00:5e:00:99:01"),
                DHCPv6Packet.option(44, [5] + IPv6Address.any.bytes + remoteID),
            ])
            for round in 1...3 {
                let start = clock.now
                let client = try FramedTCPClient(connectingTo: directory.v6Server)
                try client.send(message: query)
                var bindings = 0, bytes = 0, ordered = true
                var last = IPv6Address.any
                var first: ContinuousClock.Instant?
                while let m = try client.receive(timeout: .seconds(30)) {
                    if first == nil { first = clock.now }
                    bytes += 2 + m.count
                    guard m.first == 15 || m.first == 17 else { break }
                    guard let a = LeasequeryV6Tests.address(ofClientData: m) else { break }
                    if a <= last { ordered = false }
                    last = a
                    bindings += 1
                }
                let total = clock.now - start
                print("DHCPv6 round \(round): \(bindings) bindings (REPLY + DATA) + DONE, \(bytes) bytes, first reply after "
                      + "\(ms((first ?? start) - start)) ms, DONE after \(ms(total)) ms")
                #expect(bindings == Self.count && ordered)
            }
        }
    }
}
