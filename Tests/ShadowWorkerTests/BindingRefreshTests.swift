import DHCPWireKit
import DHCPv4
import Logging
import ShadowCore
import ShadowSystem
import Testing
@testable import ShadowWorker

/// What the v4 worker reports to the master when an ACK teaches a binding (docs/ipc.md,
/// binding-learned). The master's table evicts the oldest binding first and persists
/// `last_seen`, so a subscriber that keeps renewing must be reported again from time to time.
@Suite("v4 worker: learned bindings")
struct BindingRefreshTests {
    static let mac = MACAddress("02-00-5e-10-00-11")!
    static let option82 = Option82(circuit: "eth1:100", remote: "olt-7")

    static let ids = try! ConfigurationLoader.loadIdentifiers(
        Array(#"{"v4": "203.0.113.1", "v6": "00:03:00:01:02:00:5e:00:00:01"}"#.utf8))
    static let config = try! ConfigurationLoader.loadConfig(Array("""
        {"dns_v4": ["203.0.113.53"], "dns_v6": ["2001:db8::53"],
         "subnets_v4": [{"net": "100.64.0.0/10", "gateway": "100.64.0.1"}],
         "option82_extractors": ["circuit_and_remote"]}
        """.utf8))
    static let handler = V4PacketHandler(config: config, ids: ids)

    static let snapshot = ReservationSnapshot(reservations: [
        Reservation(ipv4: IPv4Address("100.64.0.11")!, ipv6NA: IPv6Address("2001:db8:1::11")!,
                    ipv6PD: IPv6Prefix("2001:db8:101::/56")!, option82: option82),
    ])

    /// The bindings reported for one SELECTING REQUEST → ACK, given the worker's table.
    static func reported(with bindings: BindingTable) -> [MACAddress] {
        var request = DHCPv4PacketBuilder(type: .request, mac: mac, giaddr: IPv4Address(127, 0, 0, 1))
        request.requestedAddress(IPv4Address("100.64.0.11")!)
        request.serverIdentifier(IPv4Address("203.0.113.1")!)
        request.relayAgentInformation(circuit: "eth1:100", remote: "olt-7")
        var sink = WorkerSink(for: V4PacketHandler.self, logger: Logger(label: "test"), eventsEnabled: false)
        var reply = [UInt8](repeating: 0, count: 1500)
        let answer = request.bytes.withUnsafeBytes { datagram in
            reply.withUnsafeMutableBytes { buffer in
                handler.handle(datagram, from: .v4(IPv4Address(127, 0, 0, 1), port: 67), snapshot: snapshot,
                               bindings: bindings, shares: .standalone, reply: buffer, sink: &sink)
            }
        }
        #expect(answer != nil, "no ACK")
        return sink.learned.map(\.mac)
    }

    static var now: UInt64 { UInt64(WallClock.unixSeconds) }

    @Test func aNewBindingIsReported() {
        #expect(Self.reported(with: BindingTable()) == [Self.mac])
    }

    @Test func anUnchangedRecentBindingIsNotReportedAgain() {
        var table = BindingTable()
        table.learn(mac: Self.mac, option82: Self.option82, now: Self.now)
        #expect(Self.reported(with: table) == [])
    }

    @Test func anUnchangedBindingIsReportedAgainOnceStale() {
        var table = BindingTable()
        table.learn(mac: Self.mac, option82: Self.option82, now: Self.now - 3600)
        #expect(Self.reported(with: table) == [Self.mac])
    }
}

/// Wall-clock seconds without Foundation.
enum WallClock {
    static var unixSeconds: Int { Clocks.unixTime().seconds }
}
