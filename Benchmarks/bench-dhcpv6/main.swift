#if canImport(Glibc)
import Glibc  // libm for rounding
#endif
import DHCPWireKit
import DHCPv6
import ShadowCore

// Micro-benchmark of decode + decide + encode (docs/dhcpv6.md):
//   swift build -c release --product bench-dhcpv6 && .build/release/bench-dhcpv6 [iterations [reservations]]
// (default 2,000,000 iterations over 1,000,000 reservations).

let count = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 1_000_000 : 1_000_000
let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 2_000_000 : 2_000_000
let clock = ContinuousClock()

/// DUID-LL of subscriber `i` and its MAC 02:00:xx:xx:xx:xx.
func mac(_ i: Int) -> MACAddress { MACAddress(value: 0x0200_0000_0000 | UInt64(i)) }
func duid(_ i: Int) -> DUID { DUID(bytes: [0, 3, 0, 1] + mac(i).bytes) }

let buildStart = clock.now
var reservations: [Reservation] = []
reservations.reserveCapacity(count)
for i in 0..<count {
    reservations.append(Reservation(
        ipv4: IPv4Address(UInt32(0x0A00_0000 + i)),
        ipv6NA: IPv6Address(high: 0x2001_0db8_0000_0000 | UInt64(i), low: 1),
        ipv6PD: IPv6Prefix(address: IPv6Address(high: 0x2001_0db9_0000_0000 | UInt64(i) << 8, low: 0), prefixLength: 56),
        mac: mac(i), duid: duid(i)))
}
let snapshot = ReservationSnapshot(reservations: reservations)
reservations = []
print("snapshot: \(snapshot.count) reservations, \(snapshot.keyCount) keys, built in \(clock.now - buildStart)")

let serverID = DUID("00:03:00:01:02:00:5e:00:00:01")!
let config = ServerConfig(dnsV4: [IPv4Address(192, 0, 2, 53)], dnsV6: [IPv6Address("2001:db8::53")!], subnetsV4: [],
                          macExtractors: [.clientLinklayerAddress, .peerAddrEUI64])
let engine = DHCPv6Engine(config: config, ids: ServerIdentifiers(v4: IPv4Address(192, 0, 2, 1), v6: serverID))
let bindings = BindingTable()

typealias Packet = DHCPv6Packet
func relay(_ inner: [UInt8], subscriber i: Int) -> [UInt8] {
    Packet.relay(inner, link: "2001:db8:ffff::1", peer: "fe80::1",
                 extra: [Packet.clientLinkLayerAddress(mac(i)), Packet.interfaceID("ge-0/0/1.100")])
}

func solicit(_ i: Int) -> [UInt8] {
    relay(Packet.client(type: 1, xid: 0xa4_cf70, [Packet.clientID(duid(i)), Packet.oro(23), Packet.elapsedTime,
                                                 Packet.iaNA(1), Packet.iaPD(2)]), subscriber: i)
}
func renew(_ i: Int) -> [UInt8] {
    let na = IPv6Address(high: 0x2001_0db8_0000_0000 | UInt64(i), low: 1)
    return relay(Packet.client(type: 5, xid: 0x2a_cb85, [
        Packet.clientID(duid(i)), Packet.serverID(serverID), Packet.oro(23), Packet.elapsedTime,
        Packet.iaNA(1, t1: 3600, t2: 5400, Packet.iaAddress(na, preferred: 7200, valid: 7200)),
        Packet.iaPD(2, t1: 3600, t2: 5400),
    ]), subscriber: i)
}
/// Found through the MAC extractor (Option 79) instead of the DUID.
func solicitByMAC(_ i: Int) -> [UInt8] {
    relay(Packet.client(type: 1, xid: 0x01_0203, [Packet.option(1, [0, 2, 0, 0, 0, 9, 1, 2, 3]),
                                                 Packet.iaNA(1), Packet.iaPD(2)]), subscriber: i)
}

/// 4096 subscribers spread over the snapshot, so lookups miss the CPU caches as in production.
var rng = SystemRandomNumberGenerator()
let spread = (0..<4096).map { _ in Int.random(in: 0..<count, using: &rng) }

/// Runs the datagrams (in turn) through the engine `iterations` times and prints ns/packet.
func measure(_ name: String, _ datagrams: [[UInt8]]) {
    var sink = 0
    var reply = [UInt8](repeating: 0, count: 4096)
    let source = IPv6Address("2001:db8:ffff::1")!
    func once(_ input: UnsafeRawBufferPointer, _ out: UnsafeMutableRawBufferPointer) -> Int {
        let outcome = engine.handle(datagram: input, source: source, sourcePort: 547, snapshot: snapshot,
                                    bindings: bindings, reply: out)
        guard case .reply(let length, _, _) = outcome.action else { fatalError("\(name): \(outcome.action)") }
        return length
    }
    // One contiguous buffer, so the loop touches no array headers.
    let size = datagrams[0].count
    precondition(datagrams.allSatisfy { $0.count == size })
    let all = datagrams.flatMap { $0 }
    let elapsed = all.withUnsafeBytes { base in
        reply.withUnsafeMutableBytes { out in
            func input(_ i: Int) -> UnsafeRawBufferPointer {
                let k = i % datagrams.count
                return UnsafeRawBufferPointer(rebasing: base[(k * size)..<(k * size + size)])
            }
            for i in 0..<10_000 { sink &+= once(input(i), out) }
            let start = clock.now
            for i in 0..<iterations { sink &+= once(input(i), out) }
            return clock.now - start
        }
    }
    let ns = (Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9) / Double(iterations)
    let rounded = (ns * 10).rounded() / 10
    print("\(name): \(rounded) ns/packet (\(iterations) packets, \(size) B in, checksum \(sink & 0xFFFF))")
}

measure("relayed Solicit IA_NA+IA_PD -> Advertise (DUID match, one subscriber)", [solicit(count / 2)])
measure("relayed Renew IA_NA+IA_PD -> Reply (DUID match, one subscriber)", [renew(count / 2)])
measure("relayed Solicit IA_NA+IA_PD -> Advertise (Option 79 MAC match, one subscriber)", [solicitByMAC(count / 2)])
measure("relayed Solicit IA_NA+IA_PD -> Advertise (DUID match, 4096 random subscribers)", spread.map(solicit))
measure("relayed Renew IA_NA+IA_PD -> Reply (DUID match, 4096 random subscribers)", spread.map(renew))
