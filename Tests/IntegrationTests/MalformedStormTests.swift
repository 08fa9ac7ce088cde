import DHCPWireKit
import DHCPv4
import ShadowCore
import ShadowTesting
import Testing

/// Garbage interleaved with valid requests: every valid request is answered, no worker restarts.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct MalformedStormTests {
    static let rounds = 40
    static let garbagePerRound = 12

    /// Malformed DHCPv4 datagrams of every kind the decoder refuses.
    static func garbageV4(_ rng: inout SeededGenerator, giaddr: IPv4Address) -> [UInt8] {
        var valid = DHCPv4PacketBuilder.discover(mac: Fixtures.macSubscriberMAC, xid: 0x0BAD_0000)
        valid.giaddr = giaddr
        switch Int.random(in: 0..<7, using: &rng) {
        case 0:  // random bytes, any length
            return rng.bytes(Int.random(in: 0...600, using: &rng))
        case 1:  // truncated header
            return Array(valid.bytes.prefix(Int.random(in: 0..<240, using: &rng)))
        case 2:  // bad magic cookie
            valid.magicCookie = UInt32.random(in: 0...UInt32.max, using: &rng) | 1
            return valid.bytes
        case 3:  // oversize: the largest UDP payload over IPv4, options never ending
            valid.omitEnd = true
            valid.trailer = [UInt8](repeating: 0, count: 65507 - valid.bytes.count)
            return valid.bytes
        case 4:  // an option running past the datagram
            valid.add(12, rng.bytes(20))
            var bytes = valid.bytes
            bytes.removeLast(10)
            return bytes
        case 5:  // hlen > 16
            valid.hlen = 200
            return valid.bytes
        default:  // Option 82 whose sub-option overruns it
            valid.add(DHCPv4Option.relayAgentInformation, [1, 40, 0x41, 0x42])
            return valid.bytes
        }
    }

    /// Malformed DHCPv6 datagrams of every kind the decoder refuses.
    static func garbageV6(_ rng: inout SeededGenerator, relay: RelayV6) -> [UInt8] {
        let solicit = DHCPv6Packet.solicit(duid: Fixtures.macSubscriberDUID, xid: 0xBAD)
        let valid = relay.relayForward(solicit, peer: IPv6Address("fe80::1")!)
        switch Int.random(in: 0..<7, using: &rng) {
        case 0:
            return rng.bytes(Int.random(in: 0...600, using: &rng))
        case 1:  // truncated relay header or message
            return Array(valid.prefix(Int.random(in: 0..<valid.count, using: &rng)))
        case 2:  // not a Relay-forward (a bare client message or a Relay-reply)
            return Bool.random(using: &rng) ? solicit : [13] + valid.dropFirst()
        case 3:  // oversize: the largest UDP payload over IPv6, one huge overrunning option
            return valid + DHCPv6Packet.option(0xFFFF, [UInt8](repeating: 0x5A, count: 65527 - valid.count - 4)).dropLast(1)
        case 4:  // hop count above 32
            var bytes = valid
            bytes[1] = 33
            return bytes
        case 5:  // 33 nested Relay-forwards
            var bytes = solicit
            for _ in 0..<33 { bytes = DHCPv6Packet.relayForward(bytes, link: .any, peer: .any) }
            return bytes
        default:  // an option length pointing past the end
            var bytes = valid
            bytes[36] = 0xFF
            bytes[37] = 0xFF
            return bytes
        }
    }

    @Test func v4WorkerAnswersThroughGarbage() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations) {
            $0.rateLimits = ServerConfigFile.noRateLimits  // 40 requests from one client in well under a second
        }
        let relay = try RelayV4(server: directory.v4Server)
        try await withMaster(directory) { master in
            let worker = try await master.waitForWorker("v4")
            var rng = SeededGenerator(seed: 0x5EED_0004)
            var unanswered = 0
            for _ in 0..<Self.rounds where unanswered < 3 {  // a dead worker fails fast, not 40 × 3 s
                for _ in 0..<Self.garbagePerRound { try relay.send(raw: Self.garbageV4(&rng, giaddr: relay.giaddr)) }
                let discover = DHCPv4PacketBuilder.discover(mac: Fixtures.macSubscriberMAC, xid: Fixtures.xid())
                if try relay.exchange(discover)?.yiaddr != IPv4Address("198.51.100.10")! { unanswered += 1 }
            }
            #expect(unanswered == 0, "\(unanswered) of \(Self.rounds) valid DISCOVERs unanswered\n\(master.output.tail())")
            #expect(master.servingWorker("v4") == worker, "the v4 worker was restarted")
            #expect(master.lines.contains { $0.process == "v4" && $0.message == "Unable to parse dhcpv4 message" })
        }
    }

    @Test func v6WorkerAnswersThroughGarbage() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations) {
            $0.rateLimits = ServerConfigFile.noRateLimits  // 40 requests from one client in well under a second
        }
        let relay = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            let worker = try await master.waitForWorker("v6")
            var rng = SeededGenerator(seed: 0x5EED_0006)
            var unanswered = 0
            for _ in 0..<Self.rounds where unanswered < 3 {
                for _ in 0..<Self.garbagePerRound { try relay.send(raw: Self.garbageV6(&rng, relay: relay)) }
                let solicit = DHCPv6Packet.solicit(duid: Fixtures.macSubscriberDUID, xid: Fixtures.xid())
                if try relay.exchange(solicit)?.iaNAAddresses != [IPv6Address("2001:db8:1::10")!] { unanswered += 1 }
            }
            #expect(unanswered == 0, "\(unanswered) of \(Self.rounds) valid SOLICITs unanswered\n\(master.output.tail())")
            #expect(master.servingWorker("v6") == worker, "the v6 worker was restarted")
        }
    }
}
