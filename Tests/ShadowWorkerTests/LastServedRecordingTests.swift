import DHCPWireKit
import DHCPv4
import Logging
import ShadowCore
import ShadowSystem
import Testing
@testable import ShadowWorker

/// What the workers record as "last served" (docs/operations.md, "Last served and online"): only
/// a DHCPv4 ACK and a DHCPv6 Reply with the reservation's leases, at the sink's `servedAt`; and a
/// new snapshot keeps a time only for the very same reservation.
@Suite("worker: last-served recording")
struct LastServedRecordingTests {
    static let ids = try! ConfigurationLoader.loadIdentifiers(
        Array(#"{"v4": "203.0.113.1", "v6": "00:03:00:01:02:00:5e:00:00:01"}"#.utf8))
    static let config = try! ConfigurationLoader.loadConfig(Array("""
        {"dns_v4": ["203.0.113.53"], "dns_v6": ["2001:db8::53"],
         "subnets_v4": [{"net": "198.51.100.0/24", "gateway": "198.51.100.1"}]}
        """.utf8))
    static let mac = MACAddress("00-11-22-33-44-55")!
    static let duid = DUID("00:03:00:01:00:11:22:33:44:55")!
    static let serverDUID = DUID("00:03:00:01:02:00:5e:00:00:01")!

    static func reservation(_ n: Int, mac: String, duid: String) -> Reservation {
        Reservation(ipv4: IPv4Address("198.51.100.\(n)")!, ipv6NA: IPv6Address("2001:db8:1::\(n)")!,
                    ipv6PD: IPv6Prefix("2001:db8:\(n)00::/56")!, mac: MACAddress(mac)!, duid: DUID(duid)!)
    }

    /// Index 0: another subscriber; index 1: the one the packets come from.
    static let reservations = [
        reservation(20, mac: "00-11-22-33-44-66", duid: "00:03:00:01:00:11:22:33:44:66"),
        reservation(10, mac: "00-11-22-33-44-55", duid: "00:03:00:01:00:11:22:33:44:55"),
    ]
    static let snapshot = ReservationSnapshot(reservations: reservations, generation: 1)

    /// Runs `datagram` through `Handler` with a fresh table; returns the table's times and whether
    /// there was a reply.
    static func times<Handler: PacketHandler>(_ handler: Handler, _ datagram: [UInt8], from source: ShadowCore.SocketAddress)
        -> (times: [UInt32], replied: Bool) {
        let table = LastServedTable(count: snapshot.count)
        var sink = WorkerSink(for: Handler.self, logger: Logger(label: "test"), eventsEnabled: false)
        sink.lastServed = table.times
        sink.servedAt = 1_765_000_000
        var reply = [UInt8](repeating: 0, count: 1500)
        let answer = datagram.withUnsafeBytes { d in
            reply.withUnsafeMutableBytes { buffer in
                handler.handle(d, from: source, snapshot: snapshot, bindings: BindingTable(), shares: .standalone,
                               reply: buffer, sink: &sink)
            }
        }
        return (Array(table.times), answer != nil)
    }

    static let v4 = V4PacketHandler(config: config, ids: ids)
    static let v6 = V6PacketHandler(config: config, ids: ids)
    static let relay4 = ShadowCore.SocketAddress.v4(IPv4Address(127, 0, 0, 1), port: 67)
    static let relay6 = ShadowCore.SocketAddress.v6(IPv6Address("::1")!, port: 547)

    static func v4Request(_ address: String) -> [UInt8] {
        var b = DHCPv4PacketBuilder(type: .request, mac: mac, giaddr: IPv4Address(127, 0, 0, 1))
        b.requestedAddress(IPv4Address(address)!)
        b.serverIdentifier(IPv4Address("203.0.113.1")!)
        return b.bytes
    }

    static func v6(_ type: UInt8, serverID: Bool = true) -> [UInt8] {
        var options = [DHCPv6Packet.clientID(duid),
                       DHCPv6Packet.iaNA(1, DHCPv6Packet.iaAddress("2001:db8:1::10")),
                       DHCPv6Packet.iaPD(2, DHCPv6Packet.iaPrefix("2001:db8:1000::/56"))]
        if serverID { options.append(DHCPv6Packet.serverID(serverDUID)) }
        return DHCPv6Packet.relay(DHCPv6Packet.client(type: type, xid: 0x1234, options), link: "2001:db8::1",
                                  peer: "fe80::1")
    }

    @Test func anAckRecordsTheReservationServed() {
        let r = Self.times(Self.v4, Self.v4Request("198.51.100.10"), from: Self.relay4)
        #expect(r.replied)
        #expect(r.times == [0, 1_765_000_000])
    }

    @Test func anOfferRecordsNothing() {
        let discover = DHCPv4PacketBuilder(type: .discover, mac: Self.mac, giaddr: IPv4Address(127, 0, 0, 1)).bytes
        let r = Self.times(Self.v4, discover, from: Self.relay4)
        #expect(r.replied)
        #expect(r.times == [0, 0])
    }

    @Test func anRFC8925AckRecordsNothing() {
        var config = Self.config
        config.optionsV4 = DHCPOptionSet(entries: [.init(code: 108, payload: [0, 0, 7, 8])])
        var b = DHCPv4PacketBuilder(type: .request, mac: Self.mac, giaddr: IPv4Address(127, 0, 0, 1))
        b.requestedAddress(IPv4Address("198.51.100.10")!)
        b.serverIdentifier(IPv4Address("203.0.113.1")!)
        b.add(55, [1, 3, 108])
        let r = Self.times(V4PacketHandler(config: config, ids: Self.ids), b.bytes, from: Self.relay4)
        #expect(r.replied)
        #expect(r.times == [0, 0], "an IPv6-only ACK serves no IPv4 lease")
    }

    @Test func aNakRecordsNothing() {
        let r = Self.times(Self.v4, Self.v4Request("198.51.100.99"), from: Self.relay4)
        #expect(r.replied, "no NAK")
        #expect(r.times == [0, 0])
    }

    @Test func aReplyToARequestRecordsTheReservationServed() {
        let r = Self.times(Self.v6, Self.v6(3), from: Self.relay6)
        #expect(r.replied)
        #expect(r.times == [0, 1_765_000_000])
    }

    @Test func anAdvertiseRecordsNothing() {
        let r = Self.times(Self.v6, Self.v6(1, serverID: false), from: Self.relay6)
        #expect(r.replied)
        #expect(r.times == [0, 0])
    }

    @Test func aReplyToAReleaseRecordsNothing() {
        let r = Self.times(Self.v6, Self.v6(8), from: Self.relay6)
        #expect(r.replied)
        #expect(r.times == [0, 0])
    }

    // MARK: a new snapshot

    @Test func aNewSnapshotKeepsTimesOnlyForTheSameReservations() {
        let old = LastServedTable(count: 2)
        old.times[0] = 100
        old.times[1] = 200
        // Reordered: the served subscriber first and unchanged; the other's ipv4 changed; one added.
        var changed = Self.reservations[0]
        changed.ipv4 = IPv4Address("198.51.100.21")!
        let next = ReservationSnapshot(reservations: [
            Self.reservations[1], changed, Self.reservation(30, mac: "00-11-22-33-44-77", duid: "00:03:00:01:00:11:22:33:44:77"),
        ], generation: 2)
        let same = next.sameIndexes(in: Self.snapshot)
        #expect(same == [1, -1, -1])
        let carried = old.carried(over: same)
        withExtendedLifetime(carried) { #expect(Array(carried.times) == [200, 0, 0]) }
    }

    @Test func aChangedKeyResetsTheTime() {
        var changed = Self.reservations[1]
        changed.duid = DUID("00:03:00:01:00:11:22:33:44:99")!
        let next = ReservationSnapshot(reservations: [Self.reservations[0], changed], generation: 2)
        #expect(next.sameIndexes(in: Self.snapshot) == [0, -1])
    }

    @Test func anUnchangedSnapshotKeepsEveryTime() {
        let next = ReservationSnapshot(reservations: Self.reservations, generation: 2)
        #expect(next.sameIndexes(in: Self.snapshot) == [0, 1])
        #expect(next.sameIndexes(in: .empty) == [-1, -1])
    }
}
