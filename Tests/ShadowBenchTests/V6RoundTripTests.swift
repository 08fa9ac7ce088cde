import DHCPWireKit
import DHCPv6
import ShadowBench
import ShadowCore
import Testing

@Suite("DHCPv6 packets through DHCPv6Engine")
struct V6RoundTripTests {
    static let relay = V6Relay(linkAddress: IPv6Address("2001:db8:ffff::2")!, interfaceID: "bench")

    /// Feeds `request` to the engine with the generated configuration; returns the reply bytes.
    func answer(_ world: LoadedWorld, _ request: [UInt8], bindings: BindingTable = BindingTable()) throws -> [UInt8] {
        let engine = DHCPv6Engine(config: world.config, ids: world.ids)
        var reply = [UInt8](repeating: 0, count: 4096)
        let outcome = request.withUnsafeBytes { input in
            reply.withUnsafeMutableBytes { out in
                engine.handle(datagram: input, source: IPv6Address("2001:db8:ffff::2")!, sourcePort: 547,
                              snapshot: world.snapshot, bindings: bindings, reply: out)
            }
        }
        guard case .reply(let length, let destination, let port) = outcome.action else {
            Issue.record("no reply: \(outcome.action)")
            throw CancellationError()
        }
        #expect(destination == IPv6Address("2001:db8:ffff::2")! && port == 547)
        return Array(reply.prefix(length))
    }

    @Test("Solicit → Advertise → Request → Reply for generated subscribers", arguments: [0, 7, 99])
    func sarr(_ i: Int) throws {
        let world = try LoadedWorld(count: 100)
        let exchange = V6Exchange(plan: world.plan, relay: Self.relay)
        let xid: UInt32 = 0xABCDEF
        let advertise = try answer(world, written { exchange.writeFirst(xid: xid, subscriber: i, into: $0) })
        let request = try advertise.withUnsafeBytes { b in
            let reply = try #require(exchange.decode(b))
            #expect(exchange.xid(of: reply) == xid && exchange.step(of: reply) == .first)
            #expect(exchange.verify(reply, subscriber: i) == .correct)
            #expect(exchange.verify(reply, subscriber: i + 1) == .wrong)
            #expect(reply.serverID.map { Array(b[$0]) } == BenchPlan.serverDUID)
            return written { exchange.writeSecond(xid: xid, subscriber: i, reply: reply, datagram: b, into: $0) }
        }
        let final = try answer(world, request)
        try final.withUnsafeBytes { b in
            let reply = try #require(exchange.decode(b))
            #expect(exchange.step(of: reply) == .second && exchange.verify(reply, subscriber: i) == .correct)
            let d = try #require(DHCPv6Reply(Array(b)))
            #expect(d.iaNA.first?.leases.first?.prefix.address == world.plan.ipv6NA(i))
            #expect(d.iaPD.first?.leases.first?.prefix == world.plan.ipv6PD(i))
            #expect(d.clientID == world.plan.duid(i))
            #expect(d.interfaceID == Array("bench".utf8))
            #expect(d.dns == BenchPlan.dnsV6)
            #expect(d.iaNA.first?.t1 == world.config.leases.v6T1)
        }
    }

    @Test("--option82: SARR is answered only through the MAC → circuit binding")
    func option82() throws {
        let world = try LoadedWorld(count: 20, keying: .option82)
        let exchange = V6Exchange(plan: world.plan, relay: Self.relay)
        let solicit = written { exchange.writeFirst(xid: 9, subscriber: 13, into: $0) }
        let engine = DHCPv6Engine(config: world.config, ids: world.ids)
        var scratch = [UInt8](repeating: 0, count: 4096)
        let unbound = solicit.withUnsafeBytes { input in
            scratch.withUnsafeMutableBytes { out in
                engine.handle(datagram: input, source: .loopback, sourcePort: 547, snapshot: world.snapshot,
                              bindings: BindingTable(), reply: out)
            }
        }
        #expect(unbound.reason == .noReservation)
        var bindings = BindingTable()
        _ = bindings.learn(mac: world.plan.mac(13), option82: Option82(circuit: world.plan.circuitID(13)), now: 1)
        let advertise = try answer(world, solicit, bindings: bindings)
        try advertise.withUnsafeBytes { b in
            let reply = try #require(exchange.decode(b))
            #expect(exchange.step(of: reply) == .first && exchange.verify(reply, subscriber: 13) == .correct)
        }
    }

    @Test("a client the plan does not know gets no answer")
    func unknown() throws {
        let world = try LoadedWorld(count: 10)
        let request = written { V6RequestWriter(relay: Self.relay).solicit(V6Client(duid: nil, mac: MACAddress(value: 0x0600_0000_0099)), xid: 1, into: $0) }
        let engine = DHCPv6Engine(config: world.config, ids: world.ids)
        var reply = [UInt8](repeating: 0, count: 4096)
        let outcome = request.withUnsafeBytes { input in
            reply.withUnsafeMutableBytes { out in
                engine.handle(datagram: input, source: .loopback, sourcePort: 547, snapshot: world.snapshot,
                              bindings: BindingTable(), reply: out)
            }
        }
        #expect(outcome.reason == .noReservation)
    }

    @Test("the peer-address is the EUI-64 link-local address of the MAC")
    func eui64() {
        let client = V6Client(duid: nil, mac: MACAddress("00:11:22:33:44:55")!)
        #expect(client.peerAddress == IPv6Address("fe80::211:22ff:fe33:4455")!)
        #expect(MACExtractor.fromEUI64(client.peerAddress) == client.mac)
    }
}
