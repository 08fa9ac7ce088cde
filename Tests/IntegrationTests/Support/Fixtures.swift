import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// The subscribers every scenario uses. Addresses are from documentation ranges (and
/// 100.64.0.0/10); MACs and DUIDs are made up.
enum Fixtures {
    /// Keyed by MAC (DHCPv4 chaddr) and DUID (DHCPv6 Client Identifier).
    static let macSubscriber = TestReservation(
        ipv4: "198.51.100.10", ipv6NA: "2001:db8:1::10", ipv6PD: "2001:db8:100::/56",
        mac: "00-11-22-33-44-55", duid: "00:03:00:01:00:11:22:33:44:55")
    static let macSubscriberMAC = MACAddress("00-11-22-33-44-55")!
    static let macSubscriberDUID = DUID("00:03:00:01:00:11:22:33:44:55")!

    /// Keyed by an Option 82 circuit + remote only: DHCPv6 finds it through a learned binding.
    static let relayKey = TestReservation.Option82Key(circuit: "eth1:100", remote: "olt-7")
    static let relaySubscriber = TestReservation(
        ipv4: "100.64.0.11", ipv6NA: "2001:db8:1::11", ipv6PD: "2001:db8:101::/56", option82: relayKey)
    /// The CPE behind `relaySubscriber` (not in any reservation).
    static let relaySubscriberMAC = MACAddress("02-00-5e-10-00-11")!
    /// A DUID-EN that carries no MAC, so only the relay's information can identify the client.
    static let relaySubscriberDUID = DUID("00:02:00:00:ab:cd:01:02:03:04:05:06")!

    static let reservations = [macSubscriber, relaySubscriber]

    static let serverIDv4 = IPv4Address("203.0.113.1")!
    static let serverIDv6 = DUID("00:03:00:01:02:00:5e:00:00:01")!

    static var isRoot: Bool { getuid() == 0 }
    static var inCI: Bool { getenv("CI") != nil }

    /// A transaction id no other request of this process uses.
    static func xid() -> UInt32 { UInt32.random(in: 1...0x00FF_FFFF) }
}

extension Trait where Self == ConditionTrait {
    /// Process-level tests start a master that binds port 67 and drops privileges: root only.
    /// Under `CI` they run even without root, and fail (they cannot bind or drop) instead of
    /// skipping unnoticed; `CIRunsAsRootTests` says why.
    static var needsRoot: Self {
        .enabled(if: Fixtures.isRoot || Fixtures.inCI, "needs root (binds port 67, drops privileges)")
    }
}
