import Testing
@testable import ShadowCore

/// The address-space rules Kea's `ip-reservations-unique` users expect: no IA_NA address inside a
/// delegated prefix, no delegated prefix inside another, no IPv4 that is its subnet's gateway,
/// network or broadcast address — at load (file, `replace`, decoded images) and for per-entry
/// changes, so a change can never write a file the next load refuses.
@Suite("reservations: address-space containment")
struct ReservationContainmentTests {
    static func line(_ ipv4: String, _ na: String, _ pd: String, _ mac: Int) -> String {
        #"{"ipv4": "\#(ipv4)", "ipv6_na": "\#(na)", "ipv6_pd": "\#(pd)", "mac": "00-00-00-00-00-\#(mac + 10)"}"#
    }

    @Test func addressInsideAnotherEntrysPrefixNamesBoth() {
        let text = array(Self.line("198.51.100.10", "2001:db8:1::10", "2001:db8:100::/56", 1),
                         Self.line("198.51.100.11", "2001:db8:100:20::1", "2001:db8:200::/56", 2))
        #expect(reservationErrors(text) == [
            "reservations.json[1].ipv6_na: 2001:db8:100:20::1 is inside 2001:db8:100::/56, the ipv6_pd of reservations.json[0]",
        ])
    }

    @Test func addressInsideItsOwnPrefix() {
        let text = array(Self.line("198.51.100.10", "2001:db8:100::1", "2001:db8:100::/56", 1))
        #expect(reservationErrors(text) == [
            "reservations.json[0].ipv6_na: 2001:db8:100::1 is inside 2001:db8:100::/56, this entry's own ipv6_pd",
        ])
    }

    @Test func prefixInsideAShorterOneEitherOrder() {
        let text = array(Self.line("198.51.100.10", "2001:db8:1::10", "2001:db8:100:ff00::/60", 1),
                         Self.line("198.51.100.11", "2001:db8:1::11", "2001:db8:100::/48", 2),
                         Self.line("198.51.100.12", "2001:db8:1::12", "2001:db8:100:1100::/56", 3))
        #expect(reservationErrors(text) == [
            "reservations.json[0].ipv6_pd: 2001:db8:100:ff00::/60 is inside 2001:db8:100::/48, the ipv6_pd of reservations.json[1]",
            "reservations.json[2].ipv6_pd: 2001:db8:100:1100::/56 is inside 2001:db8:100::/48, the ipv6_pd of reservations.json[1]",
        ])
    }

    @Test func separatePoolsOfSeveralLengthsLoad() throws {
        let text = array(Self.line("198.51.100.10", "2001:db8:1::10", "2001:db8:100::/56", 1),
                         Self.line("198.51.100.11", "2001:db8:1::11", "2001:db8:200::/48", 2),
                         Self.line("198.51.100.12", "2001:db8:1::12", "2001:db8:101::/60", 3),
                         Self.line("198.51.100.13", "2001:db8:1::13", "2001:db8:101:10::/60", 4))
        #expect(try loadReservations(text).get().value.count == 4)
    }

    /// Thousands of entries (the join partitions its inputs): interleaved address and prefix
    /// pools, so every address falls inside the prefixes' range and is looked up.
    @Test func manyEntriesOnlyTheRealOverlapsAreReported() throws {
        let subnets = [SubnetV4(net: IPv4Network("10.0.0.0/8")!, gateway: IPv4Address("10.0.0.1")!)]
        let base: UInt64 = 0x2001_0DB8_8000_0000
        var rs: [Reservation] = []
        for i in 0..<5000 {
            let n = UInt64(i)
            let pd = IPv6Prefix(address: IPv6Address(high: base + (2 * n) << 8, low: 0), prefixLength: 56)
            rs.append(Reservation(ipv4: IPv4Address(0x0A00_0100 + UInt32(i)),
                                  ipv6NA: IPv6Address(high: base + (2 * n + 1) << 8, low: 1), ipv6PD: pd,
                                  mac: MACAddress(value: 0x0200_0000_0000 + n)))
        }
        #expect(try ReservationLoader.validate(rs, subnets: subnets, source: "r").value.count == 5000)
        rs[4000].ipv6NA = IPv6Address(high: rs[17].ipv6PD.address.high, low: 5)
        rs[3].ipv6PD = IPv6Prefix(address: IPv6Address(high: rs[2999].ipv6PD.address.high | 0x40, low: 0), prefixLength: 58)
        do {
            _ = try ReservationLoader.validate(rs, subnets: subnets, source: "r")
            Issue.record("accepted")
        } catch {
            #expect(error.errors.lines == [
                "r[3].ipv6_pd: \(rs[3].ipv6PD) is inside \(rs[2999].ipv6PD), the ipv6_pd of r[2999]",
                "r[4000].ipv6_na: \(rs[4000].ipv6NA) is inside \(rs[17].ipv6PD), the ipv6_pd of r[17]",
            ])
        }
    }

    @Test("an IPv4 that is its subnet's gateway, network or broadcast address", arguments: [
        ("198.51.100.254", "198.51.100.254 is the gateway of subnets_v4[0] (198.51.100.0/24)"),
        ("198.51.100.0", "198.51.100.0 is the network address of subnets_v4[0] (198.51.100.0/24)"),
        ("198.51.100.255", "198.51.100.255 is the broadcast address of subnets_v4[0] (198.51.100.0/24)"),
        ("203.0.113.0", "203.0.113.0 is the network address of subnets_v4[1] (203.0.113.0/25)"),
        ("203.0.113.127", "203.0.113.127 is the broadcast address of subnets_v4[1] (203.0.113.0/25)"),
    ])
    func reservedIPv4(_ ipv4: String, _ message: String) {
        #expect(reservationErrors(array(Self.line(ipv4, "2001:db8:1::10", "2001:db8:100::/56", 1)))
                == ["reservations.json[0].ipv4: \(message)"])
    }

    @Test func pointToPointNetsHaveNoNetworkOrBroadcast() throws {
        let subnets = [SubnetV4(net: IPv4Network("192.0.2.0/31")!, gateway: IPv4Address("192.0.2.0")!),
                       SubnetV4(net: IPv4Network("192.0.2.8/32")!, gateway: IPv4Address("192.0.2.1")!)]
        let text = array(Self.line("192.0.2.1", "2001:db8:1::10", "2001:db8:100::/56", 1),
                         Self.line("192.0.2.8", "2001:db8:1::11", "2001:db8:200::/56", 2))
        #expect(try ReservationLoader.load(Array(text.utf8), subnets: subnets).value.count == 2)
    }

    @Test func decodedImagesAreCheckedToo() {
        var a = ReservationStoreTests.entry(1)
        var b = ReservationStoreTests.entry(2)
        b.ipv6NA = IPv6Address(high: a.ipv6PD.address.high, low: 7)
        a.ipv4 = IPv4Address("198.51.100.10")!
        b.ipv4 = IPv4Address("198.51.100.11")!
        do {
            _ = try ReservationLoader.validate([a, b], subnets: testSubnets, source: "replace.reservations")
            Issue.record("accepted")
        } catch {
            #expect(error.errors.lines == [
                "replace.reservations[1].ipv6_na: 2001:db8:100:100::7 is inside 2001:db8:100:100::/56, the ipv6_pd of replace.reservations[0]",
            ])
        }
    }

    // MARK: per-entry changes

    static func store() -> ReservationStore { ReservationStore((0..<4).map { ReservationStoreTests.entry($0) }) }

    static func failures(_ store: inout ReservationStore, _ changes: [ReservationChange]) -> [String] {
        if case .failure(let e) = store.apply(changes) { return e.errors.lines }
        return []
    }

    @Test func aChangeCannotPutAnAddressInsideAPrefix() {
        var s = Self.store()
        var r = ReservationStoreTests.entry(10)
        r.ipv6NA = IPv6Address(high: ReservationStoreTests.entry(2).ipv6PD.address.high, low: 1)
        #expect(Self.failures(&s, [ReservationStoreTests.add(r, "add")]) == [
            "add.ipv6_na: 2001:db8:100:200::1 is inside 2001:db8:100:200::/56, the ipv6_pd of the reservation with ipv4 198.51.100.2",
        ])
    }

    @Test func aChangeCannotAddAPrefixAroundExistingOnes() {
        var s = Self.store()
        // A /40 around every entry's /56 (2001:db8:100::/40) — and around nothing's address.
        var r = ReservationStoreTests.entry(10)
        r.ipv6PD = IPv6Prefix("2001:db8:100::/40")!
        let lines = Self.failures(&s, [ReservationStoreTests.add(r, "add")])
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("add.ipv6_pd: 2001:db8:100::/40 contains 2001:db8:100:") == true, "\(lines)")
        // Around an existing address (2001:db8:1::/64 holds every entry's ipv6_na).
        r.ipv6PD = IPv6Prefix("2001:db8:1::/64")!
        let second = Self.failures(&s, [ReservationStoreTests.add(r, "add")])
        #expect(second.count == 2)
        #expect(second.first == "add.ipv6_na: 2001:db8:1::a is inside 2001:db8:1::/64, this entry's own ipv6_pd")
        #expect(second.last?.hasPrefix("add.ipv6_pd: 2001:db8:1::/64 contains 2001:db8:1::") == true, "\(second)")
        // Inside an existing prefix, at a longer length no entry uses yet.
        r.ipv6PD = IPv6Prefix("2001:db8:100:300::/64")!
        #expect(Self.failures(&s, [ReservationStoreTests.add(r, "add")]) == [
            "add.ipv6_pd: 2001:db8:100:300::/64 is inside 2001:db8:100:300::/56, the ipv6_pd of the reservation with ipv4 198.51.100.3",
        ])
    }

    @Test func theIndexesFollowAddsUpdatesDeletesAndUndo() throws {
        var s = Self.store()
        // A refused batch leaves nothing behind: the /60 it added is gone afterwards.
        var short = ReservationStoreTests.entry(10)
        short.ipv6PD = IPv6Prefix("2001:db8:500::/60")!
        var clash = ReservationStoreTests.entry(11)
        clash.ipv6NA = IPv6Address(high: ReservationStoreTests.entry(1).ipv6PD.address.high, low: 9)
        #expect(!Self.failures(&s, [ReservationStoreTests.add(short, "a"), ReservationStoreTests.add(clash, "b")]).isEmpty)
        var inside = ReservationStoreTests.entry(12)
        inside.ipv6PD = IPv6Prefix("2001:db8:500::/64")!
        #expect(Self.failures(&s, [ReservationStoreTests.add(inside, "c")]) == [])
        // Now a /60 around it is refused, a delete frees the space, and an update may move into it.
        #expect(Self.failures(&s, [ReservationStoreTests.add(short, "d")]) == [
            "d.ipv6_pd: 2001:db8:500::/60 contains 2001:db8:500::/64, the ipv6_pd of the reservation with ipv4 198.51.100.12",
        ])
        #expect(Self.failures(&s, [ReservationChange(.delete(.ipv4(inside.ipv4)), source: "e")]) == [])
        var moved = ReservationStoreTests.entry(3)
        moved.ipv6PD = IPv6Prefix("2001:db8:500::/60")!
        #expect(Self.failures(&s, [ReservationChange(.update(match: .ipv4(moved.ipv4), moved), source: "f")]) == [])
        #expect(Self.failures(&s, [ReservationStoreTests.add(inside, "g")]) == [
            "g.ipv6_pd: 2001:db8:500::/64 is inside 2001:db8:500::/60, the ipv6_pd of the reservation with ipv4 198.51.100.3",
        ])
        // Deleting the first entry moves the last into its place; the moved one is still found.
        #expect(Self.failures(&s, [ReservationChange(.delete(.ipv4(ReservationStoreTests.entry(0).ipv4)), source: "h")]) == [])
        #expect(Self.failures(&s, [ReservationStoreTests.add(inside, "i")]) == [
            "i.ipv6_pd: 2001:db8:500::/64 is inside 2001:db8:500::/60, the ipv6_pd of the reservation with ipv4 198.51.100.3",
        ])
        // The store's set always loads: what a commit writes, the next load accepts.
        let text = String(decoding: ReservationPersistence.persistedBytes(s.reservations), as: UTF8.self)
        #expect(reservationErrors(text).filter { !$0.contains("subnets_v4") } == [])
    }

    @Test func aSetBuiltAtOnceThenEmptiedLeavesNoStaleEntries() {
        var start = (0..<40).map { ReservationStoreTests.entry($0) }
        for i in stride(from: 0, to: 40, by: 3) {
            start[i].ipv6PD = IPv6Prefix(address: IPv6Address(high: 0x2001_0DB8_0900_0000 + UInt64(i) << 12, low: 0),
                                         prefixLength: 52)
        }
        var s = ReservationStore(start)
        // Keep the last two (one of each length, so both lengths' indexes stay), delete the rest,
        // and add the deleted ones back: a slot left behind would name a position past the end.
        for r in start.dropLast(2) {
            #expect(Self.failures(&s, [ReservationChange(.delete(.ipv4(r.ipv4)), source: "d")]) == [])
        }
        for r in start.dropLast(2).reversed() { #expect(Self.failures(&s, [ReservationStoreTests.add(r, "r")]) == []) }
        for r in start {
            #expect(Self.failures(&s, [ReservationChange(.delete(.ipv4(r.ipv4)), source: "d")]) == [])
        }
        // A prefix around every former address and prefix: nothing of them is left to refuse it.
        var all = ReservationStoreTests.entry(50)
        all.ipv6NA = IPv6Address("2001:db8:ffff::1")!
        all.ipv6PD = IPv6Prefix("2001:db8::/32")!
        #expect(Self.failures(&s, [ReservationStoreTests.add(all, "a")]) == [
            "a.ipv6_na: 2001:db8:ffff::1 is inside 2001:db8::/32, this entry's own ipv6_pd",
        ])
        all.ipv6NA = IPv6Address("2001:db9::1")!
        #expect(Self.failures(&s, [ReservationStoreTests.add(all, "a")]) == [])
    }
}
