import ShadowBench
import ShadowCore
import Testing

@Suite("Generated configuration")
struct GenerationTests {
    @Test("reservations, config and ids load through ShadowCore without errors or warnings")
    func loads() throws {
        let world = try LoadedWorld(count: 300)
        #expect(world.snapshot.count == 300)
        #expect(world.warnings == 0)
        #expect(world.ids.v4 == IPv4Address(198, 18, 0, 1))
        #expect(world.ids.v6.bytes == BenchPlan.serverDUID)
        #expect(world.config.v4BindAddress == .v4(IPv4Address(198, 18, 0, 1), port: 67))
        #expect(world.config.v6BindAddress == .v6(IPv6Address("2001:db8:ffff::1")!, port: 547))
        #expect(world.config.logging.level == .warn)
        #expect(world.snapshot.keyCounts.mac == 300 && world.snapshot.keyCounts.duid == 300)
    }

    @Test("every reservation is the plan's subscriber at the same index", arguments: [0, 1, 150, 299])
    func matchesPlan(_ i: Int) throws {
        let world = try LoadedWorld(count: 300)
        let r = world.snapshot[i]
        #expect(r.mac == world.plan.mac(i))
        #expect(r.duid?.bytes == world.plan.duid(i))
        #expect(r.ipv4 == world.plan.ipv4(i))
        #expect(r.ipv6NA == world.plan.ipv6NA(i))
        #expect(r.ipv6PD == world.plan.ipv6PD(i))
        #expect(world.snapshot.index(mac: world.plan.mac(i)) == i)
    }

    @Test("--option82: reservation i is keyed by circuit sub-i only, read through circuit_only")
    func option82Plan() throws {
        let world = try LoadedWorld(count: 300, keying: .option82)
        #expect(world.warnings == 0)
        #expect(world.snapshot.keyCounts.option82 == 300 && world.snapshot.keyCounts.mac == 0 && world.snapshot.keyCounts.duid == 0)
        #expect(world.config.option82Extractors == [.circuitOnly])
        for i in [0, 9, 10, 299] {
            #expect(world.snapshot.index(option82: Option82(circuit: "sub-\(i)")) == i)
            #expect(world.plan.withCircuitID(i) { Array($0) } == Array(world.plan.circuitID(i).utf8))
        }
        #expect(BenchPlan(count: 10).withCircuitID(3_999_999) { String(decoding: $0, as: UTF8.self) } == "sub-3999999")
    }

    @Test("plan addresses stay inside their ranges at the largest count")
    func ranges() {
        let plan = BenchPlan(count: BenchPlan.maximumCount)
        let last = BenchPlan.maximumCount - 1
        #expect(BenchPlan.subnet.contains(plan.ipv4(last)))
        #expect(plan.ipv4(0) == IPv4Address(100, 64, 0, 2))
        #expect(!plan.ipv6PD(last).hasHostBits)
        #expect(plan.ipv6PD(last).address.high >> 32 == 0x2001_0db8)
        #expect(plan.ipv6NA(last).high >> 32 == 0x2001_0db8)
        #expect(plan.subscriber(mac: plan.mac(last)) == last)
        #expect(plan.mac(0).description == "02-00-00-00-00-00")
    }
}

@Suite("Generated Kea configuration")
struct KeaGenerationTests {
    static let setup = KeaSetup(interface: "sdb-s", serverV6: IPv6Address("2001:db8:ffff::1")!,
                                relayV4: IPv4Address(198, 18, 0, 2), relayV6: IPv6Address("2001:db8:ffff::2")!)

    /// The member `name` of a JSON object.
    func member(_ v: JSONValue, _ name: String) -> JSONValue? {
        guard case .object(let members) = v else { return nil }
        return members.first { $0.name == name }?.value
    }

    @Test("both files are JSON with one reservation per subscriber")
    func parses() throws {
        let plan = BenchPlan(count: 25)
        for (root, subnets, bytes) in [("Dhcp4", "subnet4", KeaFiles.dhcp4(plan, Self.setup)),
                                       ("Dhcp6", "subnet6", KeaFiles.dhcp6(plan, Self.setup))] {
            let doc = try JSONValue.parse(bytes)
            let server = try #require(member(doc, root))
            guard case .array(let list)? = member(server, subnets), let subnet = list.first,
                  case .array(let reservations)? = member(subnet, "reservations") else {
                Issue.record("\(root): no \(subnets)[0].reservations"); continue
            }
            #expect(reservations.count == 25)
        }
        let v4 = String(decoding: KeaFiles.dhcp4(plan, Self.setup), as: UTF8.self)
        #expect(v4.contains("{\"hw-address\":\"02:00:00:00:00:18\",\"ip-address\":\"100.64.0.26\"}"))
        #expect(v4.contains("\"persist\":false") && v4.contains("\"ip-addresses\":[\"198.18.0.2\"]"))
        let v6 = String(decoding: KeaFiles.dhcp6(plan, Self.setup), as: UTF8.self)
        #expect(v6.contains("\"interfaces\":[\"sdb-s/2001:db8:ffff::1\"]"))
        #expect(v6.contains("\"prefixes\":[\"2001:db8:8000:1800::/56\"]"))
        #expect(v6.contains("\"identifier\":\"060000000001\""))
    }
}
