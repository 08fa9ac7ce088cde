// DORA through DHCPv4Engine: the bench's packets and reply parser against the real engine.
import DHCPWireKit
import DHCPv4
import ShadowBench
import ShadowCore
import Testing

@Suite("DHCPv4 packets through DHCPv4Engine")
struct V4EngineRoundTripTests {
    func answer(_ world: LoadedWorld, _ request: [UInt8]) throws -> [UInt8] {
        let engine = DHCPv4Engine(config: world.config, ids: world.ids)
        var reply = [UInt8](repeating: 0, count: 1500)
        let outcome = request.withUnsafeBytes { input in
            reply.withUnsafeMutableBytes { out in
                engine.handle(datagram: input, source: IPv4Address(198, 18, 0, 2), sourcePort: 67,
                              snapshot: world.snapshot, bindings: BindingTable(), reply: out)
            }
        }
        let sent = try #require(outcome.reply)
        #expect(sent.destination == IPv4Address(198, 18, 0, 2) && sent.port == 67)
        return Array(reply.prefix(sent.length))
    }

    @Test("DISCOVER → OFFER → REQUEST → ACK for generated subscribers", arguments: [0, 5, 49])
    func dora(_ i: Int) throws {
        let world = try LoadedWorld(count: 50)
        let exchange = V4Exchange(plan: world.plan, relay: V4Relay(giaddr: IPv4Address(198, 18, 0, 2), circuitID: "bench"),
                                  fallbackServer: .any)
        let offer = try answer(world, written { exchange.writeFirst(xid: 0xC0FFEE, subscriber: i, into: $0) })
        let request = try offer.withUnsafeBytes { b in
            let s = try #require(exchange.decode(b))
            #expect(s.xid == 0xC0FFEE && exchange.step(of: s) == .first && exchange.verify(s, subscriber: i) == .correct)
            #expect(s.serverIdentifier == world.ids.v4)
            let d = try #require(DHCPv4Reply(Array(b)))
            #expect(d.routers == [BenchPlan.gateway] && d.dns == BenchPlan.dnsV4 && d.leaseTime == world.config.leases.v4Lease)
            #expect(d.relayAgentInformation == [1, 5] + Array("bench".utf8))
            return written { exchange.writeSecond(xid: 0xC0FFEE, subscriber: i, reply: s, datagram: b, into: $0) }
        }
        let ack = try answer(world, request)
        try ack.withUnsafeBytes { b in
            let s = try #require(exchange.decode(b))
            #expect(exchange.step(of: s) == .second && exchange.verify(s, subscriber: i) == .correct)
        }
    }
}
