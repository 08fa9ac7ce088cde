/// The persisted form of reservations (docs/management.md), written by the management `replace`
/// command and read back by ``ReservationLoader``.
///
/// Pretty-printed with a 2-space indent and a trailing newline. Keys in the order `ipv4`,
/// `ipv6_na`, `ipv6_pd`, then `mac`, `duid`, `option82`, `option1837`, `v4_lease_time`,
/// `options_v4`, `v6_lease_time`, `options_v6` when present (an options object on one line, as
/// ``DHCPOptionSet/configurationJSON(_:)`` writes it); `option82`
/// always has `circuit`, `remote`, `subscriber` and `option1837` always has `interface`, `remote`,
/// `enterprise_number` (`null` when absent). Values are normalised: MAC upper case with dashes,
/// DUID lower case with colons, IPv6 compressed lower case, the masked prefix.
public enum ReservationPersistence {
    /// The file text for `reservations` (``persistedBytes(_:)`` as a string).
    public static func persistedJSON(_ reservations: [Reservation]) -> String {
        String(decoding: persistedBytes(reservations), as: UTF8.self)
    }

    /// The file bytes for `reservations`. A large list is written in one piece per thread of
    /// `work` (the same bytes): 1,000,000 entries take about 1 s on one thread.
    public static func persistedBytes(_ reservations: [Reservation], work: ParallelWork = .serial) -> [UInt8] {
        persistedBytes(reservations, work: work, piecesFrom: piecesFrom)
    }

    /// ``persistedBytes(_:work:)`` with pieces of at least `piecesFrom` entries (tests: small ones).
    static func persistedBytes(_ reservations: [Reservation], work: ParallelWork, piecesFrom: Int) -> [UInt8] {
        render(reservations, work: work, piecesFrom: piecesFrom, recording: false).bytes
    }

    /// ``persistedBytes(_:work:)`` and where each entry's text lies in them (without its
    /// separator): what a ``ReservationStore`` needs to start from this text
    /// (``ReservationStore/adoptPersisted(_:entries:)``).
    public static func persistedBytesAndEntries(_ reservations: [Reservation],
                                                work: ParallelWork = .serial) -> (bytes: [UInt8], entries: [Range<Int>]) {
        render(reservations, work: work, piecesFrom: piecesFrom, recording: true)
    }

    /// The file bytes, in one piece per thread of `work` from `piecesFrom` entries per piece, and
    /// when `recording` each entry's range in them.
    static func render(_ reservations: [Reservation], work: ParallelWork, piecesFrom: Int,
                       recording: Bool) -> (bytes: [UInt8], entries: [Range<Int>]) {
        if reservations.isEmpty { return (Array("[]\n".utf8), []) }
        let pieces = min(work.width, reservations.count / max(piecesFrom, 1))
        guard pieces > 1 else {
            var out: [UInt8] = [], entries: [Range<Int>] = []
            out.reserveCapacity(reservations.count * 170 + 5)
            if recording { entries.reserveCapacity(reservations.count) }
            out.append(contentsOf: "[\n".utf8)
            appendEntries(reservations[...], to: &out, recording: recording, &entries)
            out.append(contentsOf: "\n]\n".utf8)
            return (out, entries)
        }
        let texts = JobResults<([UInt8], [Range<Int>])>(count: pieces, initial: ([], []))
        reservations.withUnsafeBufferPointer { all in
            let shared = SharedEntries(all)
            work.run(pieces) { k in
                let range = shared.entries.count * k / pieces..<shared.entries.count * (k + 1) / pieces
                var text: [UInt8] = [], entries: [Range<Int>] = []
                text.reserveCapacity(range.count * 170)
                if recording { entries.reserveCapacity(range.count) }
                appendEntries(shared.entries[range], to: &text, recording: recording, &entries)
                texts[k] = (text, entries)
            }
        }
        var out: [UInt8] = [], entries: [Range<Int>] = []
        out.reserveCapacity((0..<pieces).reduce(5 + 2 * pieces) { $0 + texts[$1].0.count })
        if recording { entries.reserveCapacity(reservations.count) }
        out.append(contentsOf: "[\n".utf8)
        for k in 0..<pieces {
            if k > 0 { out.append(contentsOf: ",\n".utf8) }
            let start = out.count
            out.append(contentsOf: texts[k].0)
            entries.append(contentsOf: texts[k].1.lazy.map { $0.lowerBound + start..<$0.upperBound + start })
            texts[k] = ([], [])
        }
        out.append(contentsOf: "\n]\n".utf8)
        return (out, entries)
    }

    /// Entries per piece below which ``persistedBytes(_:work:)`` stays on one thread.
    static let piecesFrom = 50_000

    /// `entries` as the array's body writes them: separated by `,\n`; when `recording`, each
    /// one's range in `out` is appended to `ranges`.
    private static func appendEntries<C: Collection>(_ entries: C, to out: inout [UInt8], recording: Bool,
                                                     _ ranges: inout [Range<Int>]) where C.Element == Reservation {
        var first = true
        for r in entries {
            if !first { out.append(contentsOf: ",\n".utf8) }
            first = false
            let start = out.count
            appendEntry(r, to: &out)
            if recording { ranges.append(start..<out.count) }
        }
    }

    /// One entry's text as ``persistedBytes(_:)`` writes it inside the array (indented, without
    /// the separating `,\n`).
    public static func appendEntry(_ r: Reservation, to out: inout [UInt8]) {
        func raw(_ s: String) { out.append(contentsOf: s.utf8) }
        func string(_ s: String?) {
            guard let s else { raw("null"); return }
            var q = ""
            JSONWriter.appendQuoted(s, to: &q)
            raw(q)
        }
        raw("  {\n    \"ipv4\": \"")
        TextBytes.append(r.ipv4, to: &out)
        raw("\",\n    \"ipv6_na\": \"")
        TextBytes.append(r.ipv6NA, to: &out)
        raw("\",\n    \"ipv6_pd\": \"")
        let pd = r.ipv6PD.masked
        TextBytes.append(pd.address, to: &out)
        out.append(UInt8(ascii: "/"))
        TextBytes.decimal(UInt32(pd.prefixLength), to: &out)
        raw("\"")
        if let mac = r.mac {
            raw(",\n    \"mac\": \"")
            TextBytes.hex(mac.bytes, separator: UInt8(ascii: "-"), upper: true, to: &out)
            raw("\"")
        }
        if let duid = r.duid {
            raw(",\n    \"duid\": \"")
            TextBytes.hex(duid.bytes, separator: UInt8(ascii: ":"), upper: false, to: &out)
            raw("\"")
        }
        if let o = r.option82 {
            raw(",\n    \"option82\": {\n      \"circuit\": ")
            string(o.circuit)
            raw(",\n      \"remote\": ")
            string(o.remote)
            raw(",\n      \"subscriber\": ")
            string(o.subscriber)
            raw("\n    }")
        }
        if let o = r.option1837 {
            raw(",\n    \"option1837\": {\n      \"interface\": ")
            string(o.interface)
            raw(",\n      \"remote\": ")
            string(o.remote)
            raw(",\n      \"enterprise_number\": ")
            raw(o.enterpriseNumber.map { String($0) } ?? "null")
            raw("\n    }")
        }
        appendOptions(r.optionsV4, .v4, to: &out)
        appendOptions(r.optionsV6, .v6, to: &out)
        raw("\n  }")
    }

    /// `v4_lease_time` and `options_v4` (or the v6 pair) of an entry, each when set.
    private static func appendOptions(_ set: DHCPOptionSet, _ family: OptionFamily, to out: inout [UInt8]) {
        if let t = set.leaseTime {
            out.append(contentsOf: ",\n    \"\(family.leaseTimeKey)\": ".utf8)
            TextBytes.decimal(t, to: &out)
        }
        if set.hasOptions {
            out.append(contentsOf: ",\n    \"\(family.levelKey)\": ".utf8)
            out.append(contentsOf: set.configurationJSON(family).utf8)
        }
    }

    /// `{"circuit":…,"remote":…}` with only the present fields, for messages.
    static func compactJSON(_ o: Option82) -> String {
        var w = JSONWriter()
        w.beginObject()
        if let v = o.circuit { w.field("circuit", v) }
        if let v = o.remote { w.field("remote", v) }
        if let v = o.subscriber { w.field("subscriber", v) }
        w.endObject()
        return w.text
    }

    /// `{"interface":…,"remote":…,"enterprise_number":…}` with only the present fields.
    static func compactJSON(_ o: Option1837) -> String {
        var w = JSONWriter()
        w.beginObject()
        if let v = o.interface { w.field("interface", v) }
        if let v = o.remote { w.field("remote", v) }
        if let v = o.enterpriseNumber { w.field("enterprise_number", v) }
        w.endObject()
        return w.text
    }
}

/// The text forms of addresses and identifiers (the same as their `description`s) appended to
/// bytes without making strings: a 1,000,000-entry file is formatted twice as fast.
enum TextBytes {
    static func decimal(_ v: UInt32, to out: inout [UInt8]) {
        if v >= 10 { decimal(v / 10, to: &out) }
        out.append(UInt8(ascii: "0") + UInt8(v % 10))
    }

    static func append(_ a: IPv4Address, to out: inout [UInt8]) {
        for shift in [24, 16, 8, 0] as [UInt32] {
            if shift != 24 { out.append(UInt8(ascii: ".")) }
            decimal((a.value >> shift) & 0xFF, to: &out)
        }
    }

    private static let lower = Array("0123456789abcdef".utf8)
    private static let upper = Array("0123456789ABCDEF".utf8)

    static func hex(_ bytes: [UInt8], separator: UInt8, upper useUpper: Bool, to out: inout [UInt8]) {
        let digits = useUpper ? upper : lower
        for (i, b) in bytes.enumerated() {
            if i > 0 { out.append(separator) }
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
    }

    /// RFC 5952 as `IPv6Address.description`: lower case, the longest run of two or more zero
    /// groups (the first of equals) as `::`, an IPv4-mapped address as `::ffff:a.b.c.d`.
    static func append(_ a: IPv6Address, to out: inout [UInt8]) {
        if a.high == 0 && a.low >> 32 == 0xFFFF {
            out.append(contentsOf: "::ffff:".utf8)
            append(IPv4Address(UInt32(truncatingIfNeeded: a.low)), to: &out)
            return
        }
        func group(_ i: Int) -> UInt16 {
            let word = i < 4 ? a.high : a.low
            return UInt16(truncatingIfNeeded: word >> (UInt64(3 - i % 4) * 16))
        }
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if group(i) == 0 {
                var j = i
                while j < 8 && group(j) == 0 { j += 1 }
                if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                i = j
            } else { i += 1 }
        }
        func groups(_ range: Range<Int>) {
            for k in range {
                if k != range.lowerBound { out.append(UInt8(ascii: ":")) }
                let g = group(k)
                var started = false
                for shift in stride(from: 12, through: 0, by: -4) {
                    let d = Int((g >> UInt16(shift)) & 0xF)
                    if d != 0 || started || shift == 0 {
                        out.append(lower[d])
                        started = true
                    }
                }
            }
        }
        if bestStart < 0 { groups(0..<8); return }
        groups(0..<bestStart)
        out.append(contentsOf: "::".utf8)
        groups((bestStart + bestLen)..<8)
    }
}
