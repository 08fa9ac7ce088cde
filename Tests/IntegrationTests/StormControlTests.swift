import DHCPWireKit
import Foundation
import Glibc
import ShadowCore
import ShadowSystem
import ShadowTesting
import Testing

/// Storm control through the real master (docs/dhcpv4.md, "Storm control"): one client sending
/// 1,000 requests a second gets at most its rate (plus the burst) answered while another client
/// behind the same relay is answered normally; the drops are counted by reason in `stats` and
/// summarised in the log; a SIGHUP applies new limits.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct StormControlTests {
    /// A second reservation keyed by MAC and DUID: the client answered normally.
    static let calm = TestReservation(ipv4: "198.51.100.20", ipv6NA: "2001:db8:1::20", ipv6PD: "2001:db8:200::/56",
                                      mac: "00-11-22-33-44-66", duid: "00:03:00:01:00:11:22:33:44:66")
    static let calmMAC = MACAddress("00-11-22-33-44-66")!
    static let calmDUID = DUID("00:03:00:01:00:11:22:33:44:66")!

    static func directory(rateLimits: String? = nil) throws -> ServerDirectory {
        try ServerDirectory(reservations: [Fixtures.macSubscriber, calm]) { config in
            config.extra = [#""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/mgmt.sock""#]
            config.rateLimits = rateLimits
        }
    }

    /// Replies that arrive on `endpoint` within `timeout` whose xid has `tag` in its top byte.
    static func countReplies(_ endpoint: UDPEndpoint, tag: UInt32, v6: Bool, timeout: Duration) throws -> Int {
        var n = 0
        _ = try endpoint.receive(timeout: timeout) { bytes, _ in
            let xid: UInt32? = v6 ? DHCPv6Reply(bytes)?.xid : DHCPv4Reply(bytes)?.xid
            if let xid, xid >> 16 == tag { n += 1 }
            return false
        }
        return n
    }

    /// Sends `rate` storm datagrams per second for `seconds` (in 10 ms steps), and one calm
    /// exchange every 200 ms; returns the calm exchanges answered and the time the storm took.
    static func storm(rate: Int, seconds: Double, send: (UInt32) throws -> Void,
                      calm: () throws -> Bool) throws -> (calmAnswered: Int, calmTried: Int, elapsed: Double) {
        let start = Clocks.monotonicMilliseconds()
        let steps = Int(seconds * 100)
        var sent: UInt32 = 0
        var answered = 0, tried = 0
        for step in 0..<steps {
            for _ in 0..<(rate / 100) {
                try send(sent)
                sent += 1
            }
            if step % 20 == 10 {
                tried += 1
                if try calm() { answered += 1 }
            }
            let due = start + UInt64(step + 1) * 10
            let now = Clocks.monotonicMilliseconds()
            if due > now { usleep(useconds_t((due - now) * 1000)) }
        }
        return (answered, tried, Double(Clocks.monotonicMilliseconds() - start) / 1000)
    }

    /// `stats`' drop counter `reason` of `proto`, once it is at least `minimum` (counters reach
    /// the master once a second).
    static func drops(_ socket: String, _ proto: String, _ reason: String, atLeast minimum: Int) async throws -> Int {
        try await eventually(timeout: .seconds(5), "\(proto) drops \(reason) ≥ \(minimum)") {
            let n = ExplainDiffTests.drops(try ManagementTests.request(socket, #"{"command":"stats"}"#), proto, reason)
            return n >= minimum ? n : nil
        }
    }

    @Test func v4ClientOverItsRateIsLimitedWhileItsNeighbourIsServed() async throws {
        let directory = try Self.directory()  // the default: 10 per second per client
        let socket = directory.file("mgmt.sock")
        let stormRelay = try RelayV4(server: directory.v4Server)
        let calmRelay = try RelayV4(server: directory.v4Server)  // the same giaddr, 127.0.0.1
        #expect(stormRelay.giaddr == calmRelay.giaddr)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            let tag: UInt32 = 0xA5
            let run = try Self.storm(rate: 1000, seconds: 2, send: { i in
                let b = stormRelay.relayed(.discover(mac: Fixtures.macSubscriberMAC, xid: tag << 16 | i))
                try stormRelay.send(raw: b.bytes)
            }, calm: {
                try calmRelay.exchange(.discover(mac: Self.calmMAC, xid: Fixtures.xid()), timeout: .seconds(1))?.yiaddr
                    == IPv4Address("198.51.100.20")
            })
            let answered = try Self.countReplies(stormRelay.endpoint, tag: tag, v6: false, timeout: .milliseconds(500))
            let bound = 10 + Int((run.elapsed * 10).rounded(.up)) + 1
            print("v4 storm: \(answered) of 2000 answered in \(run.elapsed) s (bound \(bound)); calm \(run.calmAnswered)/\(run.calmTried)")
            #expect(answered >= 10 && answered <= bound)
            #expect(run.calmAnswered == run.calmTried && run.calmTried == 10)
            let dropped = try await Self.drops(socket, "v4", "RateLimitedClient", atLeast: 2000 - answered)
            #expect(dropped == 2000 - answered)
            #expect(ExplainDiffTests.drops(try ManagementTests.request(socket, #"{"command":"stats"}"#), "v4",
                                           "RateLimitedRelay") == 0)
            // One summary line per second at most, not one per drop.
            let summaries = master.lines.filter { $0.message == "v4 worker: requests over a client's rate limit not answered" }
            #expect(!summaries.isEmpty && summaries.count <= 5)
            #expect(summaries.allSatisfy { $0.level == "WARN" || $0.level == "WARNING" } , "\(summaries)")
            #expect(summaries.compactMap { $0["count"].flatMap(Int.init) }.reduce(0, +) <= 2000 - answered)
        }
    }

    @Test func v6ClientOverItsRateIsLimitedWhileItsNeighbourIsServed() async throws {
        let directory = try Self.directory()
        let socket = directory.file("mgmt.sock")
        let stormRelay = try RelayV6(server: directory.v6Server)
        let calmRelay = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            let tag: UInt32 = 0x5A
            let run = try Self.storm(rate: 500, seconds: 1, send: { i in
                let solicit = DHCPv6Packet.solicit(duid: Fixtures.macSubscriberDUID, xid: tag << 16 | i)
                try stormRelay.send(raw: stormRelay.relayForward(solicit, peer: IPv6Address("fe80::1")!))
            }, calm: {
                try calmRelay.exchange(DHCPv6Packet.solicit(duid: Self.calmDUID, xid: Fixtures.xid()),
                                       timeout: .seconds(1))?.iaNAAddresses == [IPv6Address("2001:db8:1::20")!]
            })
            let answered = try Self.countReplies(stormRelay.endpoint, tag: tag, v6: true, timeout: .milliseconds(500))
            let bound = 10 + Int((run.elapsed * 10).rounded(.up)) + 1
            print("v6 storm: \(answered) of 500 answered in \(run.elapsed) s (bound \(bound)); calm \(run.calmAnswered)/\(run.calmTried)")
            #expect(answered >= 10 && answered <= bound)
            #expect(run.calmAnswered == run.calmTried && run.calmTried == 5)
            let dropped = try await Self.drops(socket, "v6", "RateLimitedClient", atLeast: 500 - answered)
            #expect(dropped == 500 - answered)
        }
    }

    /// The client table follows the reservations (docs/dhcpv4.md, "Storm control"): 4,096 slots
    /// for two, 8,192 once a SIGHUP brings 3,000, and the packet path limits clients with the new
    /// table.
    @Test func theClientTableFollowsTheReservationsOnASighup() async throws {
        let directory = try Self.directory(rateLimits: #"{"per_client_per_s": 1}"#)
        let relay = try RelayV4(server: directory.v4Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            for kind in ["v4", "v6"] {
                _ = try await master.waitForLine(after: 0, "\(kind) limits") {
                    $0.process == kind && $0.message == "\(kind) worker: rate limits" && $0["rate_limits.memory_bytes"] == "65536"
                }
            }
            let many = (0..<3_000).map { i in
                TestReservation(ipv4: "\(IPv4Address(100, 65, UInt8(i / 250), UInt8(i % 250 + 1)))",
                                ipv6NA: "2001:db8:3::\(String(i + 1, radix: 16))",
                                ipv6PD: "2001:db8:\(String(0x300 + i / 256, radix: 16)):\(String(i % 256, radix: 16))00::/56",
                                mac: "02-00-5e-30-\(String(format: "%02x-%02x", i / 256, i % 256))")
            }
            try directory.writeReservations([Fixtures.macSubscriber, Self.calm] + many)
            let mark = master.lines.count
            try master.send(SIGHUP)
            for kind in ["v4", "v6"] {
                _ = try await master.waitForLine(after: mark, "\(kind) resized") {
                    $0.process == kind && $0.message == "\(kind) worker: rate limit table resized"
                        && $0["reservations"] == "3002" && $0["rate_limits.client_slots"] == "8192"
                        && $0["rate_limits.memory_bytes"] == "131072"
                }
            }
            // The packet path uses the new table: ten requests at once, at most the burst (1) and
            // one refill answered; a new reservation's client too. (That the buckets come along
            // is StormControlTests.aResizedTableKeepsEveryBucket: here it would depend on time.)
            let after: UInt32 = 0x3F
            for i in 0..<10 as Range<UInt32> {
                try relay.send(raw: relay.relayed(.discover(mac: Fixtures.macSubscriberMAC, xid: after << 16 | i)).bytes)
            }
            let answered = try Self.countReplies(relay.endpoint, tag: after, v6: false, timeout: .milliseconds(500))
            #expect(answered <= 2, "\(answered)")
            let newcomer: UInt32 = 0x40
            try relay.send(raw: relay.relayed(.discover(mac: MACAddress("02-00-5e-30-0b-b7")!, xid: newcomer << 16)).bytes)
            #expect(try Self.countReplies(relay.endpoint, tag: newcomer, v6: false, timeout: .milliseconds(500)) == 1)
        }
    }

    @Test func aRelayLimitAndASighupThatTurnsLimitsOff() async throws {
        let directory = try Self.directory(rateLimits: #"{"per_client_per_s": 0, "per_relay_per_s": 5}"#)
        let socket = directory.file("mgmt.sock")
        let relay = try RelayV4(server: directory.v4Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            // Two clients behind one relay share its 5 per second.
            let tag: UInt32 = 0x3C
            for i in 0..<40 as Range<UInt32> {
                let mac = i % 2 == 0 ? Fixtures.macSubscriberMAC : Self.calmMAC
                try relay.send(raw: relay.relayed(.discover(mac: mac, xid: tag << 16 | i)).bytes)
            }
            let answered = try Self.countReplies(relay.endpoint, tag: tag, v6: false, timeout: .milliseconds(500))
            #expect(answered >= 5 && answered <= 7, "\(answered)")
            _ = try await Self.drops(socket, "v4", "RateLimitedRelay", atLeast: 40 - answered)

            // SIGHUP with the limits off: every request is answered again.
            var config = directory.config
            config.rateLimits = ServerConfigFile.noRateLimits
            try Files.write(config.configJSON, to: directory.file("config.json"))
            let mark = master.lines.count
            try master.send(SIGHUP)
            for kind in ["v4", "v6"] {
                _ = try await master.waitForLine(after: mark, "\(kind) limits off") {
                    $0.process == kind && $0.message == "\(kind) worker: rate limits"
                        && $0["rate_limits.per_relay_per_s"] == "0" && $0["rate_limits.memory_bytes"] == "0"
                }
            }
            let all: UInt32 = 0x3D
            for i in 0..<40 as Range<UInt32> {
                try relay.send(raw: relay.relayed(.discover(mac: Fixtures.macSubscriberMAC, xid: all << 16 | i)).bytes)
            }
            #expect(try Self.countReplies(relay.endpoint, tag: all, v6: false, timeout: .milliseconds(700)) == 40)

            // A config.json with a mistake keeps the limits in force, with the exact message.
            config.rateLimits = #"{"per_client_per_s": -1}"#
            try Files.write(config.configJSON, to: directory.file("config.json"))
            let bad = master.lines.count
            try master.send(SIGHUP)
            _ = try await master.waitForLine(after: bad, "the rate_limits error") {
                $0.level == "ERROR" && $0.message == "config.json: rate_limits.per_client_per_s: must be between 0 and 1000000, got -1"
            }
        }
    }
}
