import DHCPWireKit
import IPC
import ShadowBench
import ShadowCore
import ShadowSystem
import ShadowWorker
import SystemPackage

// The worker's per-datagram path (handler → engine → counters, log lines, events → reply encoded
// into the sender's slot), as `serveBatch` runs it between recvmmsg(2) and sendmmsg(2), over
// batches in memory: no socket, no sandbox, no master. Made for callgrind (bench/callgrind.sh),
// which cannot follow a real worker into its chroot and seccomp filter.
//
//   swift build -c release --product bench-worker
//   bench-worker [--count N] [--exchanges E] [--batch B] [--events] [--loopback] [--ha] [--options]
//
// The reservations, configuration and requests are those of `shadow-bench generate` and `load`
// with `--port 0` on loopback (relay 127.0.0.1 / ::1, circuit / interface-id "bench", RFC 8357
// source port, option 79). Each scenario runs E/10 exchanges (warm-up) and then E, for
// subscribers spread over the N reservations, cut into batches of B datagrams. `--events` turns
// events on (rendered into the batch's buffer, as a worker does before it hands them over).
// `--loopback` sends each batch from one UDP socket to another on 127.0.0.1 / ::1 (ephemeral
// ports) and lets the worker's DatagramReceiver take it with one recvmmsg(2), as `serveBatch`
// does, so that the receive side's user-space work is counted too. `--ha` serves with the shares
// of HA load-balancing between 2 servers while the peer is down (this server answers both shares),
// so that every datagram pays the client's RFC 3074 hash and is still answered. `--options`
// configures five options per protocol (three at the top level, two in the subnet; BenchOptions)
// and makes every request ask for them (option 55 / the ORO), so every reply carries them.
// `--no-storm` turns storm control off (it is on at its defaults otherwise), so that its cost is
// the difference of two runs of one build.

struct Arguments {
    var count = 100_000
    var exchanges = 20_000
    var batch = 1
    var events = false
    var loopback = false
    var ha = false
    /// Five configured options (three at the top level, two in the subnet) that every request asks for.
    var options = false
    /// Storm control off (`rate_limits.per_client_per_s` 0) instead of at its defaults.
    var noStorm = false

    init(_ argv: [String]) {
        var i = 1
        func value() -> Int {
            i += 1
            guard i < argv.count, let v = Int(argv[i]), v > 0 else { fatalError("\(argv[i - 1]) needs a positive number") }
            return v
        }
        while i < argv.count {
            switch argv[i] {
            case "--count": count = value()
            case "--exchanges": exchanges = value()
            case "--batch": batch = value()
            case "--events": events = true
            case "--loopback": loopback = true
            case "--ha": ha = true
            case "--options": options = true
            case "--no-storm": noStorm = true
            default: fatalError("usage: bench-worker [--count N] [--exchanges E] [--batch B] [--events] [--loopback] [--ha] [--options] [--no-storm]")
            }
            i += 1
        }
    }
}

let arguments = Arguments(CommandLine.arguments)
let plan = BenchPlan(count: arguments.count)
let setup = ServerSetup(v4Address: IPv4Address(127, 0, 0, 1), v6Address: IPv6Address(high: 0, low: 1),
                        stateDirectory: "/nonexistent")
let config = {
    var c = try! ConfigurationLoader.loadConfig(BenchFiles.config(setup))
    if arguments.events { c.events.tcp = .v4(IPv4Address(127, 0, 0, 1), port: 9) }  // rendered, never sent
    if arguments.options { BenchOptions.configure(&c) }
    // Storm control as users get it (on, 10/s per client): `shadow-bench generate` turns it off
    // for load runs against a server, which repeat clients; here every client stays within it
    // (PacketPathBench's clock advances a second per pass over the clients).
    c.rateLimits = arguments.noStorm ? RateLimitSettings(perClientPerSecond: 0) : RateLimitSettings()
    return c
}()
let ids = try ConfigurationLoader.loadIdentifiers(BenchFiles.identifiers(setup))
let snapshot = ReservationSnapshot(
    reservations: try ReservationLoader.load(BenchFiles.reservations(plan), subnets: config.subnetsV4).value,
    generation: 1)
let shares = arguments.ha
    ? WorkerShares(shares: ServiceShares(mode: .loadBalancing, serverCount: 2, primaryIndex: 0, answering: 0b11),
                   holdCorrelation: false)
    : WorkerShares.standalone
print("snapshot: \(snapshot.count) reservations; batches of \(arguments.batch); events \(arguments.events ? "on" : "off")"
      + (arguments.loopback ? "; through loopback sockets" : "")
      + (arguments.ha ? "; HA load-balancing, 2 servers, both shares answered" : "")
      + (arguments.options ? "; five configured options asked for" : ""))

/// A relay on the bench's ephemeral port, as `shadow-bench load --port 0`.
let relayPort: UInt16 = 40_000
let v4Source = SocketAddress.v4(IPv4Address(127, 0, 0, 1), port: relayPort)
let v6Source = SocketAddress.v6(IPv6Address(high: 0, low: 1), port: relayPort)
let v4Writer = V4RequestWriter(relay: V4Relay(giaddr: IPv4Address(127, 0, 0, 1), circuitID: "bench", sourcePortOption: true),
                               requesting: arguments.options ? BenchOptions.v4Codes : [])
let v6Writer = V6RequestWriter(relay: V6Relay(linkAddress: IPv6Address(high: 0, low: 1), interfaceID: "bench",
                                              sourcePort: relayPort),
                               requesting: arguments.options ? BenchOptions.v6Codes : [])

/// Requests kept in one allocation for the whole run, so the datagrams' pointers stay valid.
final class Datagrams {
    static let slot = 1024
    let storage: UnsafeMutableRawBufferPointer
    var list: [ReceivedDatagram] = []

    init(capacity: Int) {
        storage = .allocate(byteCount: capacity * Datagrams.slot, alignment: 16)
    }

    deinit { storage.deallocate() }

    func append(from source: SocketAddress, _ write: (UnsafeMutableRawBufferPointer) -> Int) {
        let start = list.count * Datagrams.slot
        let slot = UnsafeMutableRawBufferPointer(rebasing: storage[start..<(start + Datagrams.slot)])
        let length = write(slot)
        list.append(ReceivedDatagram(source: source, length: length,
                                     payload: UnsafeRawBufferPointer(rebasing: slot[0..<length])))
    }
}

/// The two requests of `distinct` exchanges for subscribers spread over the snapshot.
func requests(v6: Bool, distinct: Int) -> Datagrams {
    let d = Datagrams(capacity: 2 * distinct)
    for k in 0..<distinct {
        let i = k &* 7919 % plan.count
        let xid = UInt32(k)
        if v6 {
            let client = V6Client(duid: nil, mac: plan.mac(i))
            d.append(from: v6Source) { v6Writer.solicit(client, xid: xid, into: $0) }
            let serverID = BenchPlan.serverDUID
            d.append(from: v6Source) { out in
                serverID.withUnsafeBytes {
                    v6Writer.request(client, xid: xid, serverID: $0, address: plan.ipv6NA(i), prefix: plan.ipv6PD(i), into: out)
                }
            }
        } else {
            d.append(from: v4Source) { v4Writer.discover(mac: plan.mac(i), xid: xid, requested: plan.ipv4(i), into: $0) }
            d.append(from: v4Source) {
                v4Writer.request(mac: plan.mac(i), xid: xid, requested: plan.ipv4(i), server: setup.v4Address, into: $0)
            }
        }
    }
    return d
}

func threadCPUNanoseconds() -> UInt64 { Clocks.threadCPUNanoseconds() }

/// Two UDP sockets on loopback (ephemeral ports): the relay's and the worker's.
struct Loopback {
    let relay: FileDescriptor
    let worker: FileDescriptor
    let workerAddress: SocketAddress

    init(v6: Bool) throws {
        let host: SocketAddress = v6 ? .v6(IPv6Address(high: 0, low: 1), port: 0) : .v4(IPv4Address(127, 0, 0, 1), port: 0)
        relay = try UDPSocket.bind(host)
        worker = try UDPSocket.bind(host)
        try worker.setNonBlocking(true)
        workerAddress = try UDPSocket.localAddress(of: worker)
    }

    func close() {
        try? relay.close()
        try? worker.close()
    }
}

/// Runs `exchanges` exchanges (2 datagrams each) through `path` in batches; returns the replies.
/// bench/callgrind.sh dumps its counts before each call (one dump per run).
@inline(never)
func run(_ path: PacketPathBench, _ datagrams: Datagrams, exchanges: Int, loopback: Loopback?,
         bindings: inout BindingTable) -> Int {
    let all = datagrams.list.count
    let total = 2 * exchanges
    var replies = 0
    var batch: [ReceivedDatagram] = []
    batch.reserveCapacity(arguments.batch)
    var k = 0
    while k < total {
        batch.removeAll(keepingCapacity: true)
        while batch.count < arguments.batch && k < total {
            // Each pass over the distinct clients (one exchange each) takes a second of the
            // storm-control clock: every client stays within the default 10 requests per second,
            // so the limiter's admitting path is what is measured.
            if k % all == 0 { path.advanceClock(milliseconds: 1000) }
            batch.append(datagrams.list[k % all])
            k += 1
        }
        guard let loopback else {
            replies += batch.withUnsafeBufferPointer { path.serve($0, snapshot: snapshot, bindings: &bindings) }
            continue
        }
        // Loopback delivers during sendto, so the whole batch is queued for the one recvmmsg.
        for d in batch { try! UDPSocket.send(d.payload, to: loopback.workerAddress, on: loopback.relay) }
        let served = try! path.serve(receivingFrom: loopback.worker, snapshot: snapshot, bindings: &bindings)
        precondition(served.received == batch.count, "loopback lost datagrams")
        replies += served.replies
    }
    return replies
}

func measure(_ name: String, v6: Bool) {
    let path = PacketPathBench(kind: v6 ? .v6 : .v4, config: config, ids: ids, reservations: snapshot.count,
                               shares: shares)
    precondition(arguments.batch <= path.batchCapacity, "--batch is at most \(path.batchCapacity)")
    let datagrams = requests(v6: v6, distinct: min(4096, plan.count))
    var bindings = BindingTable(capacity: config.bindingTableSize)
    let loopback = arguments.loopback ? try! Loopback(v6: v6) : nil
    defer { loopback?.close() }
    let warm = run(path, datagrams, exchanges: arguments.exchanges / 10, loopback: loopback, bindings: &bindings)
    let start = threadCPUNanoseconds()
    let replies = run(path, datagrams, exchanges: arguments.exchanges, loopback: loopback, bindings: &bindings)
    let ns = Double(threadCPUNanoseconds() - start) / Double(arguments.exchanges)
    let expected = 2 * (arguments.exchanges + arguments.exchanges / 10)
    guard warm + replies == expected else {
        fatalError("\(name): \(warm + replies) replies for \(expected) requests; counters \(path.counters)")
    }
    print("\(name): \((ns * 10).rounded() / 10) ns thread CPU per exchange "
          + "(warm-up \(arguments.exchanges / 10), measured \(arguments.exchanges) exchanges)")
    print("  counters: " + path.counters.map { "\($0.name)=\($0.value)" }.joined(separator: " "))
}

measure("DHCPv4 DORA (DISCOVER -> OFFER, REQUEST -> ACK)", v6: false)
measure("DHCPv6 SARR (Solicit -> Advertise, Request -> Reply)", v6: true)
