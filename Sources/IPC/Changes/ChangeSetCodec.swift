import ShadowCore

/// The changes of one commit as `changes-request` carries them (docs/ipc.md, "Per-reservation
/// changes"): ops writes them into a sealed memfd, the master reads them back. Exact like every
/// IPC payload: every field checked, nothing left over, the count the message announced.
///
/// Layout, all integers little-endian, `count` times:
///
/// | change | bytes |
/// |---|---|
/// | add | tag u8 = 1, record |
/// | replace | tag u8 = 2, ipv4 u32 of the entry replaced, record |
/// | delete | tag u8 = 3, ipv4 u32 of the entry removed |
///
/// A record is `ipv4 u32`, `ipv6_na` (high u64, low u64), `ipv6_pd` (high u64, low u64, length
/// u8 ≤ 128), a presence byte (bit 0 mac, 1 duid, 2 option82, 3 option1837, 4 options_v4,
/// 5 options_v6; other bits 0), then
/// what is present in that order: the MAC's 6 bytes; the DUID as u16 length (1–130) + bytes;
/// Option 82 as a presence byte (bit 0 circuit, 1 remote, 2 subscriber; other bits 0) + each
/// present field as text32; Option 18/37 as a presence byte (bit 0 interface, 1 remote, 2
/// enterprise number; other bits 0) + interface text32, remote text32, enterprise u32; each
/// option level (v4, then v6) as a lease-time byte (0 or 1) + lease time u32 + entry count u16 +
/// per entry, codes strictly ascending, code u16, always-send byte (0 or 1), payload length u16,
/// payload. `text32` is a u32 length + UTF-8 bytes. Whether a level's codes and values are ones
/// the loader could produce is checked by the master afterwards (``ShadowCore/DHCPOptionSet/storageProblem(_:)``).
public enum ChangeSetCodec {
    /// The bytes of `changes`.
    public static func encode(_ changes: [ResolvedChange]) -> [UInt8] {
        var w = ByteWriter()
        for change in changes {
            switch change {
            case .add(let r):
                w.u8(1); record(r, &w)
            case .replace(let old, let r):
                w.u8(2); w.u32(old.value); record(r, &w)
            case .delete(let old):
                w.u8(3); w.u32(old.value)
            }
        }
        return w.bytes
    }

    /// Exactly `count` changes filling `bytes`; anything else (a byte missing or left over, a tag,
    /// presence bit or length out of range, text that is not UTF-8) is an error naming the offset.
    public static func decode(_ bytes: UnsafeRawBufferPointer, count: Int) throws(ByteReader.Failure) -> [ResolvedChange] {
        var r = ByteReader(bytes)
        var out: [ResolvedChange] = []
        out.reserveCapacity(min(count, bytes.count / 5))
        for _ in 0..<count {
            let at = r.offset
            switch try r.u8() {
            case 1: out.append(.add(try record(&r)))
            case 2:
                let old = IPv4Address(try r.u32())
                out.append(.replace(old, try record(&r)))
            case 3: out.append(.delete(IPv4Address(try r.u32())))
            default: throw r.invalid("change tag", at: at)
            }
        }
        guard r.isAtEnd else { throw r.invalid("trailing bytes") }
        return out
    }

    // MARK: records

    static func record(_ r: Reservation, _ w: inout ByteWriter) {
        w.u32(r.ipv4.value)
        w.u64(r.ipv6NA.high); w.u64(r.ipv6NA.low)
        w.u64(r.ipv6PD.address.high); w.u64(r.ipv6PD.address.low); w.u8(r.ipv6PD.prefixLength)
        var presence: UInt8 = 0
        if r.mac != nil { presence |= 1 }
        if r.duid != nil { presence |= 2 }
        if r.option82 != nil { presence |= 4 }
        if r.option1837 != nil { presence |= 8 }
        if !r.optionsV4.isEmpty { presence |= 16 }
        if !r.optionsV6.isEmpty { presence |= 32 }
        w.u8(presence)
        if let mac = r.mac { PayloadEncoder.mac(mac, &w) }
        if let duid = r.duid { w.u16(UInt16(duid.bytes.count)); w.raw(duid.bytes) }
        if let o = r.option82 {
            w.u8((o.circuit != nil ? 1 : 0) | (o.remote != nil ? 2 : 0) | (o.subscriber != nil ? 4 : 0))
            for case let s? in [o.circuit, o.remote, o.subscriber] { text32(s, &w) }
        }
        if let o = r.option1837 {
            w.u8((o.interface != nil ? 1 : 0) | (o.remote != nil ? 2 : 0) | (o.enterpriseNumber != nil ? 4 : 0))
            if let s = o.interface { text32(s, &w) }
            if let s = o.remote { text32(s, &w) }
            if let n = o.enterpriseNumber { w.u32(n) }
        }
        if !r.optionsV4.isEmpty { optionSet(r.optionsV4, &w) }
        if !r.optionsV6.isEmpty { optionSet(r.optionsV6, &w) }
    }

    private static func optionSet(_ set: DHCPOptionSet, _ w: inout ByteWriter) {
        w.u8(set.leaseTime == nil ? 0 : 1)
        w.u32(set.leaseTime ?? 0)
        w.u16(UInt16(set.entries.count))
        for e in set.entries {
            w.u16(e.code)
            w.u8(e.alwaysSend ? 1 : 0)
            w.u16(UInt16(e.payload.count))
            w.raw(e.payload)
        }
    }

    private static func optionSet(_ r: inout ByteReader) throws(ByteReader.Failure) -> DHCPOptionSet {
        let at = r.offset
        let hasLease = try r.u8()
        let lease = try r.u32()
        guard hasLease <= 1, hasLease == 1 || lease == 0 else { throw r.invalid("option lease time", at: at) }
        let count = Int(try r.u16())
        var entries: [DHCPOptionSet.Entry] = []
        var previous = -1
        for _ in 0..<count {
            let entryAt = r.offset
            let code = Int(try r.u16())
            let flags = try r.u8()
            guard code > previous, flags <= 1 else { throw r.invalid("option entry", at: entryAt) }
            let payload = Array(try r.bytes(Int(try r.u16())))
            entries.append(DHCPOptionSet.Entry(code: UInt16(code), payload: payload, alwaysSend: flags == 1))
            previous = code
        }
        let set = DHCPOptionSet(entries: entries, leaseTime: hasLease == 1 ? lease : nil)
        guard !set.isEmpty else { throw r.invalid("empty option level", at: at) }
        return set
    }

    static func record(_ r: inout ByteReader) throws(ByteReader.Failure) -> Reservation {
        let ipv4 = IPv4Address(try r.u32())
        let na = IPv6Address(high: try r.u64(), low: try r.u64())
        let pdAddress = IPv6Address(high: try r.u64(), low: try r.u64())
        let lengthAt = r.offset
        let length = try r.u8()
        guard length <= 128 else { throw r.invalid("ipv6_pd prefix length", at: lengthAt) }
        var out = Reservation(ipv4: ipv4, ipv6NA: na, ipv6PD: IPv6Prefix(address: pdAddress, prefixLength: length))
        let presenceAt = r.offset
        let presence = try r.u8()
        guard presence & ~0b11_1111 == 0 else { throw r.invalid("record presence", at: presenceAt) }
        if presence & 1 != 0 { out.mac = try PayloadDecoder.mac(&r) }
        if presence & 2 != 0 {
            let at = r.offset
            let count = Int(try r.u16())
            guard (1...DUID.maximumLength).contains(count) else { throw r.invalid("duid length", at: at) }
            out.duid = DUID(bytes: Array(try r.bytes(count)))
        }
        if presence & 4 != 0 {
            let bits = try fieldBits(&r, "option82 presence")
            var o = Option82()
            if bits & 1 != 0 { o.circuit = try text32(&r, "option82 circuit") }
            if bits & 2 != 0 { o.remote = try text32(&r, "option82 remote") }
            if bits & 4 != 0 { o.subscriber = try text32(&r, "option82 subscriber") }
            out.option82 = o
        }
        if presence & 8 != 0 {
            let bits = try fieldBits(&r, "option1837 presence")
            var o = Option1837()
            if bits & 1 != 0 { o.interface = try text32(&r, "option1837 interface") }
            if bits & 2 != 0 { o.remote = try text32(&r, "option1837 remote") }
            if bits & 4 != 0 { o.enterpriseNumber = try r.u32() }
            out.option1837 = o
        }
        if presence & 16 != 0 { out.optionsV4 = try optionSet(&r) }
        if presence & 32 != 0 { out.optionsV6 = try optionSet(&r) }
        return out
    }

    private static func text32(_ s: String, _ w: inout ByteWriter) {
        let bytes = Array(s.utf8)
        w.u32(UInt32(bytes.count)); w.raw(bytes)
    }

    private static func text32(_ r: inout ByteReader, _ field: String) throws(ByteReader.Failure) -> String {
        let at = r.offset
        let raw = try r.bytes(Int(try r.u32()))
        guard let s = ByteReader.utf8String(raw) else { throw r.invalid(field, at: at) }
        return s
    }

    /// A presence byte with bits 0–2 only.
    private static func fieldBits(_ r: inout ByteReader, _ field: String) throws(ByteReader.Failure) -> UInt8 {
        let at = r.offset
        let bits = try r.u8()
        guard bits & ~0b111 == 0 else { throw r.invalid(field, at: at) }
        return bits
    }
}
