import DHCPWireKit
import DHCPv6
import ShadowCore
import ShadowWorker

// Bulk leasequery throughput (docs/leasequery.md, "DHCPv6 bulk"): one QUERY_BY_REMOTE_ID answered
// for N clients served behind that remote-id, framed as on the TCP connection (2-byte length +
// message) into one output buffer. Not a test.
//   swift build -c release --product bench-leasequery && .build/release/bench-leasequery [clients [runs]]
// (default 10,000 clients, 20 runs; reports the fastest and the median run).

let clients = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 10_000 : 10_000
let runs = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 20 : 20
let clock = ContinuousClock()

func duid(_ i: Int) -> DUID { DUID(bytes: [0, 3, 0, 1, 2, 0] + DHCPv6Packet.be32(UInt32(i))) }

// Reservations in reverse address order, so the answer has to sort.
let reservations = (0..<clients).map { i in
    Reservation(ipv4: IPv4Address(UInt32(0x0A00_0000 + i)),
                ipv6NA: IPv6Address(high: 0x2001_0db8_0000_0000, low: UInt64(clients - i)),
                ipv6PD: IPv6Prefix(address: IPv6Address(high: 0x2001_0db9_0000_0000 | UInt64(clients - i) << 8, low: 0),
                                   prefixLength: 56),
                duid: duid(i))
}
let snapshot = ReservationSnapshot(reservations: reservations, generation: 1)
let state = V6LeasequeryState(snapshot: snapshot)
let lastServed = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: clients)
let now: UInt32 = 1_800_000_000
let remoteID = DHCPv6Packet.remoteID(enterprise: 4874, "bng-1/olt-7")
for i in 0..<clients {
    // What the worker records when it answers client i's Request through the BNG.
    let request = DHCPv6Packet.client(type: 3, xid: UInt32(i & 0xFF_FFFF), [DHCPv6Packet.clientID(duid(i)), DHCPv6Packet.iaNA(1)])
    let relayed = DHCPv6Packet.relay(request, link: "2001:db8:a::1", peer: "fe80::1",
                                     extra: [DHCPv6Packet.interfaceID("ge-0/0/\(i % 48)"), remoteID])
    relayed.withUnsafeBytes {
        state.records.record(i, clientID: InlineBytes(duid(i).bytes), datagram: $0, relay: IPv6Address("2001:db8:ffff::1")!)
    }
    lastServed[i] = now - UInt32(i % 600)
}
let leases = LeaseTimes(v4Lease: 3600)
let data = V6LeasequeryData(snapshot: snapshot, lastServed: lastServed, now: now, leases: leases, state: state)
let query = DHCPv6Packet.client(type: 14, xid: 0x00beef, [
    DHCPv6Packet.clientID("00:03:00:01:02:00:5e:00:99:01"),
    DHCPv6Packet.option(44, [5] + IPv6Address.any.bytes + remoteID),
])
let serverID = DUID("00:03:00:01:02:00:5e:00:00:01")!.bytes
var scratch = [UInt8](repeating: 0, count: 65_535)
var stream = [UInt8]()
stream.reserveCapacity(clients * 400)

var times: [Duration] = []
var messages = 0
for _ in 0..<runs {
    stream.removeAll(keepingCapacity: true)
    messages = 0
    let start = clock.now
    let (outcome, _) = query.withUnsafeBytes { q in
        scratch.withUnsafeMutableBytes { buffer in
            LeasequeryBulkResponder.answer(q, querier: IPv6Address("2001:db8:ffff::9")!, port: 40_000, allowed: true,
                                           serverID: serverID, data: data, buffer: buffer) { m in
                stream.append(UInt8(m.count >> 8))
                stream.append(UInt8(m.count & 0xFF))
                stream.append(contentsOf: m)
                messages += 1
            }
        }
    }
    times.append(clock.now - start)
    precondition(outcome.bindings == clients, "answered \(outcome.bindings) of \(clients)")
}
times.sort()
func ms(_ d: Duration) -> String {
    let (s, a) = d.components
    return String(Double(s) * 1000 + Double(a) / 1e15)
}
print("bulk leasequery by remote-id: \(clients) clients, \(messages) messages, \(stream.count) bytes framed")
print("fastest \(ms(times[0])) ms, median \(ms(times[times.count / 2])) ms over \(runs) runs")
print("relay records: \(state.records.capacity) slots, \(state.records.byteCount) bytes")
