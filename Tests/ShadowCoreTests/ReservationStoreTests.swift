import Testing
@testable import ShadowCore

/// Per-entry changes: incremental validation and all-or-nothing batches.
@Suite struct ReservationStoreTests {
    static func entry(_ n: Int, mac: Bool = true) -> Reservation {
        Reservation(ipv4: IPv4Address(UInt32(0xC633_6400) + UInt32(n)),
                    ipv6NA: IPv6Address(high: 0x2001_0DB8_0001_0000, low: UInt64(n)),
                    ipv6PD: IPv6Prefix(address: IPv6Address(high: 0x2001_0DB8_0100_0000 + UInt64(n) << 8, low: 0),
                                       prefixLength: 56),
                    mac: mac ? MACAddress(value: 0x0011_2233_0000 + UInt64(n)) : nil,
                    duid: n % 2 == 0 ? DUID(bytes: [0, 3, 0, 1, 0, 0, 0, 0, UInt8(n >> 8), UInt8(n & 0xFF)]) : nil,
                    option82: n % 3 == 0 ? Option82(remote: "r\(n)") : nil)
    }

    static func add(_ r: Reservation, _ source: String = "x") -> ReservationChange { ReservationChange(.add(r), source: source) }

    /// What ops sends the master: the resolved changes of the accepted requests, replayed on
    /// another store built from the same set, give the same set — even when a key is freed and
    /// reused within the group, and a refused request in between left nothing behind.
    @Test func resolvedChangesReplayToTheSameSet() throws {
        let base = (0..<6).map { Self.entry($0) }
        var ops = ReservationStore(base)
        var reused = Self.entry(20)
        reused.mac = Self.entry(2).mac
        var moved = Self.entry(4)
        moved.ipv4 = IPv4Address("198.51.100.250")!
        let requests: [[ReservationChange]] = [
            [Self.add(Self.entry(10))],
            [ReservationChange(.delete(.mac(Self.entry(2).mac!)), source: "d"), Self.add(reused)],
            [Self.add(Self.entry(1))],  // refused: every key in use
            [ReservationChange(.update(match: .duid(Self.entry(4).duid!), moved), source: "u")],
        ]
        var resolved: [ResolvedChange] = []
        for request in requests {
            if case .success(let done) = ops.applyResolving(request) { resolved += done.resolved }
        }
        #expect(resolved == [.add(Self.entry(10)), .delete(Self.entry(2).ipv4), .add(reused),
                             .replace(Self.entry(4).ipv4, moved)])
        var master = ReservationStore(base.reversed())  // another order: keys, not positions
        #expect(try master.apply(resolved: resolved).get() == ChangeCounts(added: 2, updated: 1, deleted: 1))
        #expect(Set(master.reservations) == Set(ops.reservations))
    }

    /// Replayed changes get the same checks: an entry named by an address that is not there, or
    /// a record whose key is taken, refuses the whole list and changes nothing.
    @Test func resolvedChangesThatDoNotApplyChangeNothing() {
        let base = (0..<4).map { Self.entry($0) }
        var store = ReservationStore(base)
        let missing = store.apply(resolved: [.add(Self.entry(9)), .delete(IPv4Address("203.0.113.1")!)])
        guard case .failure(let e) = missing else { Issue.record("applied"); return }
        #expect(e.errors.lines == ["changes[1].ipv4: no reservation has 203.0.113.1"])
        var clash = Self.entry(9)
        clash.mac = Self.entry(1).mac
        guard case .failure(let d) = store.apply(resolved: [.replace(Self.entry(0).ipv4, clash)]) else {
            Issue.record("applied"); return
        }
        #expect(d.errors.lines.count == 1 && d.errors.lines[0].hasPrefix("changes[0].mac: 00-11-22-33-00-01 already used"))
        #expect(store.reservations == base)
    }

    @Test func addUpdateDeleteKeepTheIndexes() {
        var store = ReservationStore((0..<10).map { Self.entry($0) })
        #expect(throws: Never.self) { try store.apply([Self.add(Self.entry(10))]).get() }
        #expect(store.position(of: .mac(MACAddress(value: 0x0011_2233_000A))) == 10)
        // Delete from the middle: the last entry moves into the gap and is still found by every key.
        #expect((try? store.apply([ReservationChange(.delete(.ipv4(Self.entry(3).ipv4)), source: "d")]).get())
                == ChangeCounts(deleted: 1))
        #expect(store.count == 10)
        #expect(store.position(of: .ipv4(Self.entry(3).ipv4)) == nil)
        #expect(store.position(of: .ipv6PD(Self.entry(10).ipv6PD)) == 3)
        #expect(store.position(of: .duid(Self.entry(10).duid!)) == 3)
        // Update by the entry's own key: its addresses change.
        var changed = Self.entry(5)
        changed.ipv4 = IPv4Address("198.51.100.200")!
        #expect((try? store.apply([ReservationChange(.update(match: nil, changed), source: "u")]).get())
                == ChangeCounts(updated: 1))
        #expect(store.position(of: .ipv4(changed.ipv4)) == 5)
        #expect(store.position(of: .ipv4(Self.entry(5).ipv4)) == nil)
    }

    @Test func duplicateKeyAndAddressAreRefusedWithTheirPaths() {
        var store = ReservationStore((0..<4).map { Self.entry($0) })
        var clash = Self.entry(9)
        clash.mac = Self.entry(1).mac
        clash.ipv6NA = Self.entry(2).ipv6NA
        let result = store.apply([Self.add(clash, "reservation-add.reservation")])
        guard case .failure(let e) = result else { Issue.record("accepted"); return }
        #expect(e.errors.lines == [
            "reservation-add.reservation.ipv6_na: 2001:db8:1::2 already used by the reservation with ipv4 198.51.100.2",
            "reservation-add.reservation.mac: 00-11-22-33-00-01 already used by the reservation with ipv4 198.51.100.1",
        ])
        #expect(store.count == 4)
    }

    @Test func deleteOfAMissingKeyIsAnError() {
        var store = ReservationStore([Self.entry(0)])
        let result = store.apply([ReservationChange(.delete(.mac(MACAddress("02:00:00:00:00:01")!)), source: "reservation-delete")])
        guard case .failure(let e) = result else { Issue.record("accepted"); return }
        #expect(e.errors.lines == ["reservation-delete.mac: no reservation has 02-00-00-00-00-01"])
    }

    @Test func aBatchIsAllOrNothing() {
        let start = (0..<6).map { Self.entry($0) }
        var store = ReservationStore(start)
        let batch = [
            Self.add(Self.entry(20), "c[0].add"),
            ReservationChange(.delete(.mac(Self.entry(0).mac!)), source: "c[1].delete"),
            ReservationChange(.update(match: .ipv4(Self.entry(2).ipv4), Self.entry(21)), source: "c[2].update"),
            ReservationChange(.delete(.mac(Self.entry(1).mac!)), source: "c[3].delete"),
            Self.add(Self.entry(20), "c[4].add"),  // the same as c[0]: refused, naming c[0]
        ]
        guard case .failure(let e) = store.apply(batch) else { Issue.record("accepted"); return }
        #expect(e.errors.lines.first == "c[4].add.ipv4: 198.51.100.20 already used by c[0].add")
        #expect(store.reservations == start)
        for (i, r) in start.enumerated() {
            for kind in ReservationKey.Kind.allCases {
                if let k = ReservationKey.of(kind, in: r) { #expect(store.position(of: k) == i) }
            }
        }
        #expect(store.position(of: .ipv4(Self.entry(20).ipv4)) == nil)
    }

    @Test func updateNeedsExactlyOneEntry() {
        var store = ReservationStore([Self.entry(0), Self.entry(1)])
        var both = Self.entry(7)
        both.mac = Self.entry(0).mac
        both.duid = nil
        both.option82 = Option82(remote: "r0")  // entry 0 has it too: still one entry
        #expect((try? store.apply([ReservationChange(.update(match: nil, both), source: "u")]).get()) != nil)
        var two = Self.entry(8)
        two.mac = Self.entry(1).mac
        two.option82 = Option82(remote: "r0")
        guard case .failure(let e) = store.apply([ReservationChange(.update(match: nil, two), source: "u")]) else {
            Issue.record("accepted"); return
        }
        #expect(e.errors.lines[0].hasPrefix("u: its keys belong to 2 different reservations"))
        guard case .failure(let none) = store.apply([ReservationChange(.update(match: .mac(MACAddress(value: 99)), two),
                                                                        source: "reservation-update.reservation")]) else {
            Issue.record("accepted"); return
        }
        #expect(none.errors.lines == ["reservation-update.match: no reservation has mac 00-00-00-00-00-63"])
    }

    /// The byte formatters of the persisted file equal the types' descriptions.
    @Test func textBytesMatchDescriptions() {
        var rng = SystemRandomNumberGenerator()
        for n in 0..<5000 {
            // Groups are zero often, so that every placement of `::` occurs.
            var high: UInt64 = 0, low: UInt64 = 0
            for _ in 0..<4 { high = high << 16 | (Bool.random(using: &rng) ? 0 : UInt64.random(in: 0...0xFFFF, using: &rng)) }
            for _ in 0..<4 { low = low << 16 | (Bool.random(using: &rng) ? 0 : UInt64.random(in: 0...0xFFFF, using: &rng)) }
            let a = n == 0 ? IPv6Address(high: 0, low: 0xFFFF_C633_640A) : IPv6Address(high: high, low: low)
            var out: [UInt8] = []
            TextBytes.append(a, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == a.description)
            let v4 = IPv4Address(UInt32.random(in: 0...UInt32.max, using: &rng))
            out = []
            TextBytes.append(v4, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == v4.description)
        }
    }

    @Test func persistedBytesOfAnEmptyStore() {
        var store = ReservationStore([Self.entry(1)])
        _ = store.persistedBytes()
        _ = store.apply([ReservationChange(.delete(.ipv4(Self.entry(1).ipv4)), source: "d")])
        #expect(store.persistedBytes() == Array("[]\n".utf8))
        _ = store.apply([Self.add(Self.entry(2))])
        #expect(store.persistedBytes() == ReservationPersistence.persistedBytes([Self.entry(2)]))
    }

    /// A store that starts from a text written in pieces (a `replace`'s file) copies each entry
    /// from it: after changes its text equals a full write of what it holds.
    @Test func aStoreStartsFromTheTextOfItsFile() {
        let backwards = ParallelWork(width: 3) { count, job in
            for i in (0..<count).reversed() { job(i) }
        }
        let list = (0..<250).map { Self.entry($0) }
        let (text, entries) = ReservationPersistence.render(list, work: backwards, piecesFrom: 100, recording: true)
        #expect(text == ReservationPersistence.persistedBytes(list))
        #expect(entries.count == list.count)
        #expect(entries.enumerated().allSatisfy { i, range in
            var one: [UInt8] = []
            ReservationPersistence.appendEntry(list[i], to: &one)
            return Array(text[range]) == one
        })
        var store = ReservationStore(list)
        store.adoptPersisted(text, entries: entries)
        #expect(store.persistedBytes() == text)
        _ = store.apply([Self.add(Self.entry(300)), ReservationChange(.delete(.ipv4(Self.entry(7).ipv4)), source: "d")])
        #expect(store.persistedBytes() == ReservationPersistence.persistedBytes(store.reservations))
    }

    /// Random changes against a plain array model: every key of every entry is found where it is.
    @Test func randomChangesMatchAModel() {
        var rng = SystemRandomNumberGenerator()
        var store = ReservationStore((0..<200).map { Self.entry($0) })
        var next = 200
        for step in 0..<2000 {
            if step % 250 == 0 {
                // The incremental file equals a full write of the same entries.
                #expect(store.persistedBytes() == ReservationPersistence.persistedBytes(store.reservations))
            }
            let n = store.count
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:
                _ = store.apply([Self.add(Self.entry(next))])
                next += 1
            case 1 where n > 0:
                let victim = store.reservations[Int.random(in: 0..<n, using: &rng)]
                _ = store.apply([ReservationChange(.delete(.ipv6NA(victim.ipv6NA)), source: "d")])
            default:
                guard n > 0 else { continue }
                let victim = store.reservations[Int.random(in: 0..<n, using: &rng)]
                let update = ReservationChange(.update(match: .ipv4(victim.ipv4), Self.entry(next)), source: "u")
                let failing = ReservationChange(.delete(.mac(MACAddress(value: 1))), source: "fails")
                _ = store.apply(Bool.random(using: &rng) ? [update, failing] : [update])
                next += 1
            }
        }
        for (i, r) in store.reservations.enumerated() {
            for kind in ReservationKey.Kind.allCases {
                if let k = ReservationKey.of(kind, in: r) { #expect(store.position(of: k) == i) }
            }
        }
    }
}
