import Testing
@testable import ShadowCore

/// The merged tables of reservations with options of their own are built once per subnet, set
/// and snapshot (docs/dhcpv4.md, "Options").
@Suite("Options: merged tables kept per snapshot")
struct MergedOptionTablesTests {
    static func snapshot(generation: UInt64) -> ReservationSnapshot {
        var r = Reservation(ipv4: IPv4Address(198, 51, 100, 10), ipv6NA: IPv6Address("2001:db8:1::10")!,
                            ipv6PD: IPv6Prefix("2001:db8:100::/56")!, mac: MACAddress("00-11-22-33-44-55"))
        r.optionsV4 = DHCPOptionSet(entries: [.init(code: 26, payload: [5, 0xDC])])
        return ReservationSnapshot(reservations: [r], generation: generation)
    }

    @Test func oneTablePerSubnetAndSetUntilTheSnapshotChanges() {
        let cache = MergedOptionTables()
        let first = Self.snapshot(generation: 1)
        var made = 0
        func make() -> DHCPOptionTable { made += 1; return DHCPOptionTable(first.optionsV4(at: 0)) }
        let a = cache.table(snapshot: first, subnet: 0, set: 1, make)
        let b = cache.table(snapshot: first, subnet: 0, set: 1, make)
        #expect(a === b && made == 1)
        let other = cache.table(snapshot: first, subnet: 1, set: 1, make)
        #expect(other !== a && made == 2 && cache.count == 2)
        // A new snapshot (a reload) starts over: set indexes name other sets there.
        let second = Self.snapshot(generation: 2)
        let c = cache.table(snapshot: second, subnet: 0, set: 1, make)
        #expect(c !== a && made == 3 && cache.count == 1)
        #expect(c.position(of: 26) != nil)
    }

    @Test func pastTheLimitTablesAreBuiltButNotKept() {
        let cache = MergedOptionTables()
        let s = Self.snapshot(generation: 1)
        for set in 0..<MergedOptionTables.limit { _ = cache.table(snapshot: s, subnet: 0, set: set) { DHCPOptionTable(.empty) } }
        #expect(cache.count == MergedOptionTables.limit)
        let extra = cache.table(snapshot: s, subnet: 1, set: 0) { DHCPOptionTable(.empty) }
        #expect(cache.count == MergedOptionTables.limit)
        #expect(extra !== cache.table(snapshot: s, subnet: 1, set: 0) { DHCPOptionTable(.empty) })
    }
}
