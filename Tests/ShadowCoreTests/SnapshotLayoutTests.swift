import Testing
@testable import ShadowCore

@Suite("Flat snapshot image")
struct SnapshotLayoutTests {
    /// 20,000 reservations with every kind of key, some sharing prefixes and lengths.
    static let many: [Reservation] = (0..<20_000).map { i in
        var r = Reservation(ipv4: IPv4Address(0x6440_0000 | UInt32(i)),
                            ipv6NA: IPv6Address(high: 0x2001_0db8_0001_0000, low: UInt64(i) + 1),
                            ipv6PD: IPv6Prefix(address: IPv6Address(high: 0x2001_0db8_8000_0000 | UInt64(i) << 8, low: 0),
                                               prefixLength: 56))
        if i % 2 == 0 { r.mac = MACAddress(value: 0x0200_0000_0000 | UInt64(i)) }
        if i % 3 == 0 {
            r.duid = DUID(bytes: [0, 3, 0, 1] + (0..<4).map { UInt8(truncatingIfNeeded: i >> (8 * $0)) }
                + [UInt8](repeating: 0xEE, count: i % 7))
        }
        if i % 5 == 0 {
            r.option82 = Option82(circuit: i % 10 == 0 ? "olt-\(i % 97)/\(i)" : nil, remote: "r\(i)",
                                  subscriber: i % 15 == 0 ? "" : nil)
        }
        if i % 11 == 0 { r.option1837 = Option1837(interface: "ge-0/\(i)", remote: i % 22 == 0 ? "x\(i)" : nil,
                                                   enterpriseNumber: i % 22 == 0 ? UInt32(i) : nil) }
        return r
    }

    /// Written in runs of records and one job per table, last job first, the image is the same
    /// byte for byte as written on one thread (three runs of 65,536 records, and a part); read
    /// back in parts, the list is the same too.
    @Test func anImageWrittenInPartsIsTheSameAsOneWrittenInOnePass() throws {
        let reservations = (0..<150_000).map { i in
            var r = Self.many[i % Self.many.count]
            r.ipv4 = IPv4Address(0x6440_0000 | UInt32(i))
            r.ipv6NA = IPv6Address(high: 0x2001_0db8_0001_0000, low: UInt64(i) + 1)
            if let mac = r.mac { r.mac = MACAddress(value: mac.value ^ UInt64(i / Self.many.count) << 32) }
            if r.duid != nil { r.duid = DUID(bytes: [0, 4] + (0..<4).map { UInt8(truncatingIfNeeded: i >> (8 * $0)) }) }
            if let o = r.option82 { r.option82 = Option82(circuit: o.circuit, remote: "r\(i)", subscriber: o.subscriber) }
            if r.option1837 != nil { r.option1837 = Option1837(interface: "ge-1/\(i)", remote: nil, enterpriseNumber: nil) }
            return r
        }
        let backwards = ParallelWork(width: 4) { count, job in
            for i in (0..<count).reversed() { job(i) }
        }
        let size = try ReservationSnapshot.encodedByteCount(of: reservations)
        var one = [UInt8](repeating: 0xAA, count: size), parts = [UInt8](repeating: 0x55, count: size)
        one.withUnsafeMutableBytes { ReservationSnapshot.encode(reservations, into: $0) }
        parts.withUnsafeMutableBytes { ReservationSnapshot.encode(reservations, into: $0, work: backwards) }
        #expect(one == parts)
        let s = try one.withUnsafeBytes { try ReservationSnapshot(validating: $0, owner: nil, generation: 1).allReservations }
        #expect(s == reservations)
        // Decoded in one range per job (three of 50,000), last job first: the same list.
        let decoded = try one.withUnsafeBytes {
            try ReservationSnapshot(validating: $0, owner: nil, generation: 1).allReservations(work: backwards)
        }
        #expect(decoded == reservations)
    }

    /// The master's own view of an image it has just encoded (header and sizes checked, not each
    /// record) reads the same as a fully checked one, and still refuses a wrong header or size.
    @Test func anImageEncodedHereReadsTheSameWithoutTheRecordCheck() throws {
        let size = try ReservationSnapshot.encodedByteCount(of: Self.many)
        var image = [UInt8](repeating: 0, count: size)
        image.withUnsafeMutableBytes { ReservationSnapshot.encode(Self.many, into: $0) }
        try image.withUnsafeBytes { bytes in
            let checked = try ReservationSnapshot(validating: bytes, owner: nil, generation: 3)
            let here = try ReservationSnapshot(encodedHere: bytes, owner: nil, generation: 3)
            #expect(here.allReservations == checked.allReservations)
            #expect(here.keyCount == checked.keyCount)
            for i in stride(from: 0, to: Self.many.count, by: 97) {
                if let k = Self.many[i].mac { #expect(here.index(mac: k) == i) }
                if let k = Self.many[i].option82 { #expect(here.index(option82: k) == i) }
            }
            #expect(throws: SnapshotFormatError.self) {
                _ = try ReservationSnapshot(encodedHere: UnsafeRawBufferPointer(rebasing: bytes.dropLast(8)), owner: nil, generation: 3)
            }
        }
        image[0] ^= 0xFF
        #expect(throws: SnapshotFormatError.self) {
            _ = try image.withUnsafeBytes { try ReservationSnapshot(encodedHere: $0, owner: nil, generation: 3) }
        }
    }

    /// A table slot must name a record that exists and has that kind of key; the check reads the
    /// kinds it kept from the records, not the records again.
    @Test func aSlotNamingAMissingRecordOrOneWithoutThatKeyIsRefused() throws {
        let rs = [
            Reservation(ipv4: IPv4Address(192, 0, 2, 1), ipv6NA: .any, ipv6PD: IPv6Prefix(address: .any, prefixLength: 0),
                        mac: MACAddress(value: 0x0200_0000_0001)),
            Reservation(ipv4: IPv4Address(192, 0, 2, 2), ipv6NA: .any, ipv6PD: IPv6Prefix(address: .any, prefixLength: 0),
                        duid: DUID(bytes: [0, 3, 0, 1, 2, 0, 0, 0, 0, 2])),
        ]
        let size = try ReservationSnapshot.encodedByteCount(of: rs)
        var image = [UInt8](repeating: 0, count: size)
        image.withUnsafeMutableBytes { ReservationSnapshot.encode(rs, into: $0) }
        // Two tables of 8 slots at the end: the MAC table, then the DUID table.
        let macTable = size - 2 * 8 * SnapshotLayout.slotSize
        let used = try #require((0..<8).first { slot in image[macTable + slot * 8..<macTable + slot * 8 + 8].contains { $0 != 0 } })
        #expect(image[macTable + used * 8] == 1)  // record 0 + 1
        func refusal(_ index: UInt8) -> SnapshotFormatError? {
            var bad = image
            bad[macTable + used * 8] = index
            do {
                _ = try bad.withUnsafeBytes { try ReservationSnapshot(validating: $0, owner: nil, generation: 0) }
                return nil
            } catch { return error as? SnapshotFormatError }
        }
        #expect(refusal(1) == nil)
        #expect(refusal(2) == .invalidSlot(table: "mac", slot: used))  // record 1 has no MAC
        #expect(refusal(3) == .invalidSlot(table: "mac", slot: used))  // there is no record 2
    }

    @Test func everyKeyFindsItsReservationAndEveryFieldReadsBack() {
        let s = ReservationSnapshot(reservations: Self.many, generation: 7)
        #expect(s.count == Self.many.count)
        #expect(s.generation == 7)
        for (i, r) in Self.many.enumerated() {
            #expect(s[i] == r)
            if let k = r.mac { #expect(s.index(mac: k) == i) }
            if let k = r.duid {
                #expect(s.index(duid: k) == i)
                #expect(k.bytes.withUnsafeBytes { s.index(duidBytes: $0) } == i)
            }
            if let k = r.option82 { #expect(s.index(option82: k) == i) }
            if let k = r.option1837 { #expect(s.index(option1837: k) == i) }
        }
        #expect(s.allReservations == Self.many)
    }

    @Test func keyCountsAndTableSizes() throws {
        let s = ReservationSnapshot(reservations: Self.many)
        let macs = Self.many.filter { $0.mac != nil }.count
        let duids = Self.many.filter { $0.duid != nil }.count
        #expect(s.keyCounts.mac == macs && s.keyCounts.duid == duids)
        #expect(s.keyCount == macs + duids + s.keyCounts.option82 + s.keyCounts.option1837)
        // At most half full, a power of two.
        #expect(SnapshotLayout.capacity(forKeys: 0) == 0)
        #expect(SnapshotLayout.capacity(forKeys: 1) == 8)
        #expect(SnapshotLayout.capacity(forKeys: 5) == 16)
        #expect(SnapshotLayout.capacity(forKeys: 1_000_000) == 2_097_152)
        // Bytes per reservation of a generated 1M-like mix (MAC + DUID-LL each): header, 64-byte
        // record, 12 bytes of DUID, 2 × 8-byte slots at ≤ 50 % load.
        let ll = (0..<4096).map { i in
            Reservation(ipv4: IPv4Address(UInt32(i)), ipv6NA: .any, ipv6PD: IPv6Prefix(address: .any, prefixLength: 56),
                        mac: MACAddress(value: UInt64(i)), duid: DUID(bytes: [0, 3, 0, 1, 2, 0, 0, 0, 0, UInt8(i & 0xFF)]))
        }
        let perReservation = try ReservationSnapshot.encodedByteCount(of: ll) / ll.count
        #expect(perReservation <= 64 + 12 + 2 * 8 * 2)
    }

    @Test func missesAreNil() {
        let s = ReservationSnapshot(reservations: Self.many)
        #expect(s.index(mac: MACAddress(value: 0x0A00_0000_0001)) == nil)
        #expect(s.index(mac: MACAddress(value: 0x0200_0000_0001)) == nil)  // odd i has no MAC
        #expect(s.index(duid: DUID(bytes: [0, 3, 0, 1])) == nil)
        #expect(s.index(duid: DUID(bytes: [])) == nil)
        #expect(s.index(option82: Option82(remote: "r5", subscriber: "")) == nil)  // subscriber must match too
        #expect(s.index(option82: Option82(remote: "r5")) == 5)
        #expect(s.index(option82: Option82(circuit: "olt-10/10", remote: "r10")) == 10)
        #expect(s.index(option82: Option82(circuit: "olt-10/10")) == nil)  // the whole triple must match
        #expect(s.index(option1837: Option1837(interface: "ge-0/22", remote: "x22")) == nil)  // enterprise missing
        #expect(s.index(option1837: Option1837(interface: "ge-0/22", remote: "x22", enterpriseNumber: 22)) == 22)
        #expect(ReservationSnapshot.empty.index(mac: MACAddress(value: 1)) == nil)
        #expect(ReservationSnapshot.empty.count == 0 && ReservationSnapshot.empty.keyCount == 0)
    }

    @Test func laterDuplicateWinsAndIsCountedOnce() {
        let a = Reservation(ipv4: IPv4Address(1), ipv6NA: .any, ipv6PD: IPv6Prefix(address: .any, prefixLength: 0),
                            mac: MACAddress(value: 5), duid: DUID(bytes: [1, 2, 3]), option82: Option82(remote: "x"))
        var b = a
        b.ipv4 = IPv4Address(2)
        let s = ReservationSnapshot(reservations: [a, b])
        #expect(s.index(mac: MACAddress(value: 5)) == 1)
        #expect(s.index(duid: DUID(bytes: [1, 2, 3])) == 1)
        #expect(s.index(option82: Option82(remote: "x")) == 1)
        #expect(s.keyCounts.mac == 1 && s.keyCounts.duid == 1 && s.keyCounts.option82 == 1)
    }

    /// Every slot's tag is the upper half of its key's hash, and the hash of a key's stored bytes
    /// equals the hash of its value (which is what a lookup computes).
    @Test func slotTagsAreTheKeysHashes() {
        let s = ReservationSnapshot(reservations: Self.many)
        for t in SnapshotLayout.Table.allCases {
            for (i, r) in Self.many.enumerated() {
                let value: UInt64? = switch t {
                case .mac: r.mac.map { KeyHash.mac($0.value) }
                case .duid: r.duid.map { d in d.bytes.withUnsafeBytes { KeyHash.duid($0) } }
                case .option82: r.option82.map(KeyHash.option82)
                case .option1837: r.option1837.map(KeyHash.option1837)
                }
                guard let value else { continue }
                #expect(ReservationSnapshot.storedHash(t, ReservationSnapshot.keyBytes(t, i, s.records, s.blob)) == value)
            }
            let table = s.tables[t.rawValue]
            for position in 0...max(table.mask, 0) where table.mask >= 0 {
                let slot = table.slots.loadUnaligned(fromByteOffset: position * 8, as: UInt64.self)
                guard slot != 0 else { continue }
                let i = Int(slot & 0xFFFF_FFFF) - 1
                let hash = ReservationSnapshot.storedHash(t, ReservationSnapshot.keyBytes(t, i, s.records, s.blob))
                #expect(UInt32(truncatingIfNeeded: hash >> 32) == UInt32(truncatingIfNeeded: slot >> 32))
            }
        }
    }

    /// The image depends only on the reservations: whatever the memory held before, every byte is
    /// written (the digest covers padding too).
    @Test func encodingIsDeterministic() throws {
        let list = Array(Self.many.prefix(300))
        let size = try ReservationSnapshot.encodedByteCount(of: list)
        var images: [[UInt8]] = []
        for fill: UInt8 in [0x00, 0xA5, 0xFF] {
            var bytes = [UInt8](repeating: fill, count: size)
            bytes.withUnsafeMutableBytes { ReservationSnapshot.encode(list, into: $0) }
            images.append(bytes)
        }
        #expect(images[0] == images[1] && images[1] == images[2])
    }

    /// A key's hash is the same whether computed from the value or from its stored bytes; equal
    /// keys written differently (absent vs empty) hash and compare apart.
    @Test func absentAndEmptyFieldsDiffer() {
        let s = ReservationSnapshot(reservations: [
            Reservation(ipv4: IPv4Address(1), ipv6NA: .any, ipv6PD: IPv6Prefix(address: .any, prefixLength: 0),
                        option82: Option82(circuit: "", remote: "r")),
            Reservation(ipv4: IPv4Address(2), ipv6NA: .any, ipv6PD: IPv6Prefix(address: .any, prefixLength: 0),
                        option82: Option82(remote: "r")),
        ])
        #expect(s.index(option82: Option82(circuit: "", remote: "r")) == 0)
        #expect(s.index(option82: Option82(remote: "r")) == 1)
        #expect(s.index(option82: Option82(remote: "r", subscriber: "")) == nil)
    }

    /// The DUID hash as docs/ipc.md ("Tables") describes it, written out plainly: the length, the
    /// little-endian words (the last one overlapping when the length is not a multiple of 8; 4–7
    /// bytes as two 4-byte halves; 1–3 bytes as they are), then fmix64.
    static func documentedDUIDHash(_ b: [UInt8]) -> UInt64 {
        func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
            let x = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            return x ^ (x >> 29)
        }
        func word(_ at: Int, _ n: Int) -> UInt64 { (0..<n).reduce(0) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) } }
        var words: [UInt64] = []
        switch b.count {
        case 0: break
        case 1...3: words = [word(0, b.count)]
        case 4...7: words = [word(0, 4) | word(b.count - 4, 4) << 32]
        default:
            words = stride(from: 0, through: b.count - 8, by: 8).map { word($0, 8) }
            if b.count % 8 != 0 { words.append(word(b.count - 8, 8)) }
        }
        var k = words.reduce(mix(0xCBF2_9CE4_8422_2325, UInt64(b.count)), mix)
        k ^= k >> 33; k &*= 0xFF51_AFD7_ED55_8CCD; k ^= k >> 33; k &*= 0xC4CE_B9FE_1A85_EC53; k ^= k >> 33
        return k
    }

    @Test func theDUIDHashIsTheDocumentedOneAndTellsLengthsApart() {
        var seen = Set<UInt64>()
        for n in 0...40 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let h = bytes.withUnsafeBytes { SnapshotLayout.duidHash($0) }
            #expect(h == Self.documentedDUIDHash(bytes), "length \(n)")
            seen.insert(h)
        }
        #expect(seen.count == 41)
        // Zero bytes at the end are not the same DUID as a shorter one.
        let short: [UInt8] = [0, 3, 0, 1, 2, 0, 0x5E]
        #expect(short.withUnsafeBytes { SnapshotLayout.duidHash($0) } != (short + [0]).withUnsafeBytes { SnapshotLayout.duidHash($0) })
    }
}
