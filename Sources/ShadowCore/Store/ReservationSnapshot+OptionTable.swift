/// The option-set section of a snapshot image (docs/ipc.md, "Snapshot format"): every distinct
/// `options_v4` and `options_v6` level of the reservations, stored once, so that a million
/// reservations sharing a handful of sets cost 8 bytes each (their two indexes) and not a copy.
///
/// ```
/// u32 number of v4 sets, u32 number of v6 sets, then the v4 sets, then the v6 sets; set 0 of
/// each family is the empty set. A set:
///   u8 lease-time present (0 or 1), u8 0, u16 entry count, u32 lease time (0 when absent),
///   per entry, codes strictly ascending: u16 code, u8 flags (bit 0 always_send), u8 0,
///   u16 payload length, the payload
/// ```
extension ReservationSnapshot {
    /// The interned sets of a list of reservations and each reservation's two indexes.
    struct OptionTable {
        var v4: [DHCPOptionSet] = [.empty]
        var v6: [DHCPOptionSet] = [.empty]
        /// Per reservation its v4 index then its v6 index; empty when every reservation uses set 0.
        var indexes: [UInt32] = []
        var byteCount = 8

        init() {}

        /// Interns the sets of `all`. Reservations without options cost one check each.
        init(_ all: UnsafeBufferPointer<Reservation>) throws(SnapshotFormatError) {
            var known4: [DHCPOptionSet: UInt32] = [.empty: 0], known6: [DHCPOptionSet: UInt32] = [.empty: 0]
            for i in all.indices {
                let r = all.baseAddress! + i
                if r.pointee.optionsV4.isEmpty && r.pointee.optionsV6.isEmpty { continue }
                if indexes.isEmpty { indexes = [UInt32](repeating: 0, count: 2 * all.count) }
                indexes[2 * i] = try intern(r.pointee.optionsV4, &known4, &v4, record: i)
                indexes[2 * i + 1] = try intern(r.pointee.optionsV6, &known6, &v6, record: i)
            }
            byteCount = 8 + (v4 + v6).reduce(0) { $0 + OptionTable.size(of: $1) }
        }

        private func intern(_ set: DHCPOptionSet, _ known: inout [DHCPOptionSet: UInt32], _ sets: inout [DHCPOptionSet],
                            record: Int) throws(SnapshotFormatError) -> UInt32 {
            if set.isEmpty { return 0 }
            if let i = known[set] { return i }
            for e in set.entries where e.payload.count > Int(UInt16.max) {
                throw .unencodable(record: record, field: "option \(e.code)")
            }
            sets.append(set)
            known[set] = UInt32(sets.count - 1)
            return UInt32(sets.count - 1)
        }

        static func size(of set: DHCPOptionSet) -> Int {
            8 + set.entries.reduce(0) { $0 + 6 + $1.payload.count }
        }

        func index(_ record: Int, v6: Bool) -> UInt32 {
            indexes.isEmpty ? 0 : indexes[2 * record + (v6 ? 1 : 0)]
        }

        /// Writes the section at `offset`.
        func write(_ out: ImageWriter, at offset: Int) {
            var at = offset
            out.put(UInt32(v4.count), at: at)
            out.put(UInt32(v6.count), at: at + 4)
            at += 8
            for set in v4 + v6 {
                out.put(UInt8(set.leaseTime == nil ? 0 : 1), at: at)
                out.put(UInt8(0), at: at + 1)
                out.put(UInt16(set.entries.count), at: at + 2)
                out.put(set.leaseTime ?? 0, at: at + 4)
                at += 8
                for e in set.entries {
                    out.put(e.code, at: at)
                    out.put(UInt8(e.alwaysSend ? 1 : 0), at: at + 2)
                    out.put(UInt8(0), at: at + 3)
                    out.put(UInt16(e.payload.count), at: at + 4)
                    e.payload.withUnsafeBytes { out.copy($0, at: at + 6) }
                    at += 6 + e.payload.count
                }
            }
        }

        /// Reads and checks a section: every length inside it, reserved bytes zero, codes strictly
        /// ascending, every set one the loader could have produced for its family
        /// (``DHCPOptionSet/storageProblem(_:)``), set 0 empty, and nothing left over.
        static func read(_ p: UnsafeRawPointer, count: Int, at sectionOffset: Int) throws(SnapshotFormatError)
            -> (v4: [DHCPOptionSet], v6: [DHCPOptionSet]) {
            var at = 0
            func invalid(_ field: String) -> SnapshotFormatError { .invalidOptions(field: field, offset: sectionOffset + at) }
            func u8(_ o: Int) -> UInt8 { p.load(fromByteOffset: at + o, as: UInt8.self) }
            func u16(_ o: Int) -> Int { Int(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: at + o, as: UInt16.self))) }
            func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: p.loadUnaligned(fromByteOffset: at + o, as: UInt32.self)) }
            guard count >= 8 else { throw invalid("set counts") }
            let n4 = Int(u32(0)), n6 = Int(u32(4))
            // Each set takes at least 8 bytes: a count beyond that is a lie, checked before any loop.
            guard n4 >= 1, n6 >= 1, n4 + n6 <= (count - 8) / 8 else { throw invalid("set counts") }
            at = 8
            var sets: [DHCPOptionSet] = []
            sets.reserveCapacity(n4 + n6)
            for s in 0..<(n4 + n6) {
                let family: OptionFamily = s < n4 ? .v4 : .v6
                guard count - at >= 8 else { throw invalid("set header") }
                let hasLease = u8(0), entryCount = u16(2), lease = u32(4)
                guard hasLease <= 1, u8(1) == 0, hasLease == 1 || lease == 0 else { throw invalid("set header") }
                at += 8
                var entries: [DHCPOptionSet.Entry] = []
                var previous = -1
                for _ in 0..<entryCount {
                    guard count - at >= 6 else { throw invalid("option entry") }
                    let code = u16(0), flags = u8(2), length = u16(4)
                    guard code > previous, flags <= 1, u8(3) == 0, count - at - 6 >= length else {
                        throw invalid("option entry")
                    }
                    let payload = [UInt8](UnsafeRawBufferPointer(start: p + at + 6, count: length))
                    entries.append(DHCPOptionSet.Entry(code: UInt16(code), payload: payload, alwaysSend: flags == 1))
                    previous = code
                    at += 6 + length
                }
                let set = DHCPOptionSet(entries: entries, leaseTime: hasLease == 1 ? lease : nil)
                if let problem = set.storageProblem(family) { throw invalid("\(family.levelKey) set \(s): \(problem)") }
                guard (s != 0 && s != n4) || set.isEmpty else { throw invalid("set 0 is not empty") }
                sets.append(set)
            }
            guard at == count else { throw invalid("trailing bytes") }
            return (Array(sets[..<n4]), Array(sets[n4...]))
        }
    }
}
