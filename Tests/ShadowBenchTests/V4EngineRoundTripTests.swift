// DORA through DHCPv4Engine: the bench's packets and reply parser against the real engine.
import DHCPWireKit
import DHCPv4
import ShadowBench
import ShadowCore
import Testing

@Suite("DHCPv4 packets through DHCPv4Engine")
struct V4EngineRoundTripTests {
    func answer(_ world: LoadedWorld, _ request: [UInt8]) throws -> [UInt8] {
        try answerLearning(world, request).reply
    }

    /// The reply and the binding the engine says it learned.
    func answerLearning(_ world: LoadedWorld, _ request: [UInt8]) throws -> (reply: [UInt8], learned: DHCPv4LearnedBinding?) {
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
        return (Array(reply.prefix(sent.length)), outcome.learnedBinding)
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

    /// The options of a BOOTP packet after the magic cookie, each as code, length, value.
    static func options(_ packet: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var i = 240
        while i < packet.count, packet[i] != 255 {
            if packet[i] == 0 { i += 1; continue }
            guard i + 1 < packet.count else { break }
            let end = min(packet.count, i + 2 + Int(packet[i + 1]))
            out.append(Array(packet[i..<end]))
            i = end
        }
        return out
    }

    @Test("--option82: DISCOVER and REQUEST carry circuit sub-i; the ACK teaches MAC → circuit", arguments: [0, 7, 49])
    func option82(_ i: Int) throws {
        let world = try LoadedWorld(count: 50, keying: .option82)
        let exchange = V4Exchange(plan: world.plan, relay: V4Relay(giaddr: IPv4Address(198, 18, 0, 2), circuitID: "bench",
                                                                   sourcePortOption: true), fallbackServer: .any)
        let discover = written { exchange.writeFirst(xid: 5, subscriber: i, into: $0) }
        let circuit = Array(world.plan.circuitID(i).utf8)
        // Option 82 (circuit sub-i, then RFC 8357's relay source port sub-option), last before END.
        let o82: [UInt8] = [82, UInt8(4 + circuit.count), 1, UInt8(circuit.count)] + circuit + [19, 0, 255]
        #expect(Self.options(discover).last { $0.first == 82 }.map { $0 + [255] } == o82)
        let offer = try answerLearning(world, discover)
        #expect(offer.learned == nil)
        let request = try offer.reply.withUnsafeBytes { b in
            let s = try #require(exchange.decode(b))
            #expect(exchange.step(of: s) == .first && exchange.verify(s, subscriber: i) == .correct)
            return written { exchange.writeSecond(xid: 5, subscriber: i, reply: s, datagram: b, into: $0) }
        }
        let ack = try answerLearning(world, request)
        try ack.reply.withUnsafeBytes { b in
            let s = try #require(exchange.decode(b))
            #expect(exchange.step(of: s) == .second && exchange.verify(s, subscriber: i) == .correct)
        }
        #expect(ack.learned?.mac == world.plan.mac(i))
        #expect(ack.learned?.option82 == Option82(circuit: world.plan.circuitID(i)))
    }
}
