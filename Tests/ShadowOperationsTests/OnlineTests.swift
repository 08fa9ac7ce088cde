import ShadowCore
import Testing
@testable import ShadowOperations

/// `online`'s counting (docs/operations.md, "Last served and online"): served within the lease
/// time, DHCPv4 per subnet, DHCPv6 in all; and the count over any set of reservations.
@Suite("ops: online counts")
struct OnlineTests {
    static let config: ServerConfig = {
        var c = ServerConfig(dnsV4: [], dnsV6: [], subnetsV4: [
            SubnetV4(net: IPv4Network("198.51.100.0/24")!, gateway: IPv4Address("198.51.100.1")!),
            SubnetV4(net: IPv4Network("203.0.113.0/24")!, gateway: IPv4Address("203.0.113.1")!),
        ])
        c.leases = LeaseTimes(v4Lease: 3600, v6Valid: 7200)
        return c
    }()

    static func reservation(_ ipv4: String, _ n: Int) -> Reservation {
        Reservation(ipv4: IPv4Address(ipv4)!, ipv6NA: IPv6Address("2001:db8:1::\(n)")!,
                    ipv6PD: IPv6Prefix("2001:db8:\(n)00::/56")!, mac: MACAddress("00-11-22-33-44-\(10 + n)")!)
    }

    static let snapshot = ReservationSnapshot(reservations: [
        reservation("198.51.100.10", 1), reservation("198.51.100.11", 2), reservation("203.0.113.12", 3),
    ], generation: 4)
    static let now: UInt64 = 1_765_000_000

    static let times = LastServedTimes(
        snapshotGeneration: 4,
        v4: [UInt32(now - 3600), UInt32(now - 3601), UInt32(now + 5)],  // at the limit, just past it, clock stepped back
        v6: [0, UInt32(now - 7200), UInt32(now - 1)])

    @Test func countsWithinTheLeaseTimePerSubnet() {
        let r = OnlineReport(times: Self.times, snapshot: Self.snapshot, config: Self.config, now: Self.now)
        #expect(r.reservations == 3)
        #expect(r.v4Online == 2 && r.v6Online == 2)
        #expect(r.v4Subnets == [.init(subnet: "198.51.100.0/24", reservations: 2, online: 1),
                                .init(subnet: "203.0.113.0/24", reservations: 1, online: 1)])
        #expect(r.response.json == """
            {"success":true,"message":"2 of 3 reservations online on DHCPv4, 2 on DHCPv6","now":1765000000,\
            "snapshot_generation":4,"v4":{"lease_time":3600,"reservations":3,"online":2,"subnets":[\
            {"subnet":"198.51.100.0/24","reservations":2,"online":1},{"subnet":"203.0.113.0/24","reservations":1,\
            "online":1}]},"v6":{"valid_lifetime":7200,"reservations":3,"online":2},"missing_workers":[]}
            """)
    }

    /// A reservation's own lease time, else its subnet's, decides whether it is online.
    @Test func perLevelLeaseTimesCount() {
        var config = Self.config
        config.subnetsV4[1].options.leaseTime = 60  // 203.0.113.12 was served 5 s ahead: still online
        var rs = [Self.reservation("198.51.100.10", 1), Self.reservation("198.51.100.11", 2), Self.reservation("203.0.113.12", 3)]
        rs[1].optionsV4.leaseTime = 86400   // served 3601 s ago: online with a day's lease
        rs[0].optionsV4.leaseTime = 600     // served 3600 s ago: offline with ten minutes
        rs[1].optionsV6.leaseTime = 7199    // served 7200 s ago: offline
        let snapshot = ReservationSnapshot(reservations: rs, generation: 4)
        let r = OnlineReport(times: Self.times, snapshot: snapshot, config: config, now: Self.now)
        #expect(r.v4Online == 2 && r.v6Online == 1)
        #expect(r.v4Subnets == [.init(subnet: "198.51.100.0/24", reservations: 2, online: 1),
                                .init(subnet: "203.0.113.0/24", reservations: 1, online: 1)])
    }

    @Test func aSubnetsLeaseTimeCountsForItsReservations() {
        var config = Self.config
        config.subnetsV4[0].options = DHCPOptionSet(entries: [], leaseTime: 3599)  // reservation 0 served 3600 s ago
        config.subnetsV4[1].options = DHCPOptionSet(entries: [], leaseTime: 60)    // served "in the future": online
        let r = OnlineReport(times: Self.times, snapshot: Self.snapshot, config: config, now: Self.now)
        #expect(r.v4Online == 1)
        #expect(r.v4Subnets == [.init(subnet: "198.51.100.0/24", reservations: 2, online: 0),
                                .init(subnet: "203.0.113.0/24", reservations: 1, online: 1)])
    }

    @Test func countsAnySetOfReservations() {
        let leases = Self.config.leases
        #expect(Self.times.servedWithinLease(.v4, indexes: [0, 1], leases: leases, now: Self.now) == 1)
        #expect(Self.times.servedWithinLease(.v6, indexes: 0..<3, leases: leases, now: Self.now) == 2)
        #expect(Self.times.servedWithinLease(.v4, indexes: [2, 7, -1], leases: leases, now: Self.now) == 1)
        #expect(Self.times.lastServedV4(0) == UInt32(Self.now - 3600))
        #expect(Self.times.lastServedV6(0) == nil)
        #expect(Self.times.lastServedV6(9) == nil)
    }

    @Test func missingWorkersAreSaid() {
        var times = Self.times
        times.missingWorkers = ["v4#1"]
        let r = OnlineReport(times: times, snapshot: Self.snapshot, config: Self.config, now: Self.now)
        #expect(r.response.message == "2 of 3 reservations online on DHCPv4, 2 on DHCPv6 (without worker(s) v4#1)")
    }
}
