import ShadowCore
import Testing

/// ``ReservationDiff``: entries matched by their keys, every field change, moves of addresses.
@Suite("Reservation diff")
struct ReservationDiffTests {
    static func entry(_ n: UInt8, mac: Bool = true, duid: Bool = false, option82: Bool = false,
                      option1837: Bool = false) -> Reservation {
        Reservation(ipv4: IPv4Address(198, 51, 100, n), ipv6NA: IPv6Address("2001:db8:1::\(n)")!,
                    ipv6PD: IPv6Prefix("2001:db8:\(n)00::/56")!,
                    mac: mac ? MACAddress(value: 0x0200_0000_0000 | UInt64(n)) : nil,
                    duid: duid ? DUID(bytes: [0, 3, 0, 1, 2, 0, 0, 0, 0, n]) : nil,
                    option82: option82 ? Option82(circuit: "c\(n)", remote: "r\(n)") : nil,
                    option1837: option1837 ? Option1837(interface: "i\(n)", remote: "s\(n)", enterpriseNumber: 9) : nil)
    }

    static let old = (1...20).map { n in entry(n, duid: n % 2 == 0, option82: n % 3 == 0, option1837: n % 5 == 0) }

    @Test("The same entries in another order: nothing added, removed or changed")
    func reordering() {
        let d = ReservationDiff(old: ReservationSnapshot(reservations: Self.old), new: Self.old.reversed())
        #expect(d.added.isEmpty && d.removed.isEmpty && d.changed.isEmpty && d.moves.isEmpty)
        #expect(d.unchanged == 20)
    }

    @Test("A change of options or lease times is a changed entry, not a new one")
    func optionSettingsAreChangedFields() {
        var new = Self.old
        new[2].optionsV4 = DHCPOptionSet(entries: [.init(code: 26, payload: [5, 0xDC])], leaseTime: nil)
        new[3].optionsV6 = DHCPOptionSet(entries: [], leaseTime: 600)
        new[4].optionsV4 = DHCPOptionSet(entries: [.init(code: 26, payload: [5, 0xDC])], leaseTime: 60)
        let d = ReservationDiff(old: ReservationSnapshot(reservations: Self.old), new: new)
        #expect(d.added.isEmpty && d.removed.isEmpty)
        #expect(d.changed == [
            ReservationDiff.Change(old: 2, new: 2, fields: [], settings: [.optionsV4]),
            ReservationDiff.Change(old: 3, new: 3, fields: [], settings: [.v6LeaseTime]),
            ReservationDiff.Change(old: 4, new: 4, fields: [], settings: [.v4LeaseTime, .optionsV4]),
        ])
    }

    @Test("Entries are matched by any shared key, whichever key the new entry keeps")
    func matchedByAnyKey() {
        // Entry 6 has a MAC, a DUID and an Option 82: the new one keeps only the Option 82 (and moves
        // it to the end of the list); entry 10 keeps only its Option 18/37.
        var new = Self.old
        var six = new.remove(at: 5)
        six.mac = nil
        six.duid = nil
        new.append(six)
        new[8].mac = nil
        new[8].duid = nil
        let d = ReservationDiff(old: ReservationSnapshot(reservations: Self.old), new: new)
        #expect(d.added.isEmpty && d.removed.isEmpty)
        #expect(d.changed == [
            ReservationDiff.Change(old: 9, new: 8, fields: [.mac, .duid]),
            ReservationDiff.Change(old: 5, new: 19, fields: [.mac, .duid]),
        ])
    }

    static let fieldChanges: [(ReservationKey.Kind, @Sendable (inout Reservation) -> Void)] = [
        (.ipv4, { $0.ipv4 = IPv4Address(198, 51, 100, 200) }),
        (.ipv6NA, { $0.ipv6NA = IPv6Address("2001:db8:1::200")! }),
        (.ipv6PD, { $0.ipv6PD = IPv6Prefix("2001:db8:ff00::/56")! }),
        (.mac, { $0.mac = MACAddress("00-11-22-33-44-55") }),
        (.duid, { $0.duid = DUID(bytes: [0, 4, 1, 2, 3]) }),
        (.option82, { $0.option82 = Option82(circuit: "c30", remote: "other") }),
        (.option1837, { $0.option1837 = Option1837(interface: "i30", remote: "s30", enterpriseNumber: 10) }),
    ]

    @Test("Each field that changes is named, and only it", arguments: 0..<7)
    func everyField(_ n: Int) {
        let (kind, change) = Self.fieldChanges[n]
        // Entry 30 has every key, so it is still matched when any one of them changes.
        let entry = Self.entry(30, duid: true, option82: true, option1837: true)
        var changed = entry
        change(&changed)
        let d = ReservationDiff(old: ReservationSnapshot(reservations: Self.old + [entry]), new: Self.old + [changed])
        #expect(d.changed == [ReservationDiff.Change(old: 20, new: 20, fields: [kind])])
        #expect(d.unchanged == 20)
        #expect(d.added.isEmpty && d.removed.isEmpty && d.moves.isEmpty)
    }

    @Test("A prefix written with host bits set is the same prefix")
    func maskedPrefix() {
        var new = Self.old
        new[0].ipv6PD = IPv6Prefix("2001:db8:100:ff::/56")!
        #expect(ReservationDiff(old: ReservationSnapshot(reservations: Self.old), new: new).unchanged == 20)
    }

    @Test("Added and removed entries, in list order")
    func addedRemoved() {
        let new = Array(Self.old.dropFirst(2)) + [Self.entry(40), Self.entry(41)]
        let d = ReservationDiff(old: ReservationSnapshot(reservations: Self.old), new: new)
        #expect(d.removed == [0, 1])
        #expect(d.added == [18, 19])
        #expect(d.unchanged == 18)
        #expect(d.moves.isEmpty)
    }

    @Test("An address given to another subscriber is a move, from a removed or a changed one")
    func moves() {
        var new = Array(Self.old.dropFirst())            // subscriber 1 leaves…
        var newcomer = Self.entry(50)
        newcomer.ipv4 = Self.old[0].ipv4                 // …and a new one gets its IPv4 address
        new.append(newcomer)
        // Subscribers 2 and 3 swap their delegated prefixes.
        new[0].ipv6PD = Self.old[2].ipv6PD
        new[1].ipv6PD = Self.old[1].ipv6PD
        let d = ReservationDiff(old: ReservationSnapshot(reservations: Self.old), new: new)
        #expect(d.removed == [0])
        #expect(d.added == [19])
        #expect(d.moves == [
            ReservationDiff.Move(field: .ipv6PD, value: .ipv6PD(Self.old[2].ipv6PD), old: 2, new: 0),
            ReservationDiff.Move(field: .ipv6PD, value: .ipv6PD(Self.old[1].ipv6PD), old: 1, new: 1),
            ReservationDiff.Move(field: .ipv4, value: .ipv4(Self.old[0].ipv4), old: 0, new: 19),
        ])
    }

    @Test("served_recently is unknown without last-served times, else counts removed and changed entries")
    func servedRecently() {
        var new = Array(Self.old.dropFirst())
        new[0].ipv4 = IPv4Address(198, 51, 100, 99)
        let d = ReservationDiff(old: ReservationSnapshot(reservations: Self.old), new: new)
        #expect(d.servedRecently(nil) == nil)
        #expect(d.servedRecently({ position in position < 2 }) == 2)
        #expect(d.servedRecently({ position in position == 0 }) == 1)
    }
}
