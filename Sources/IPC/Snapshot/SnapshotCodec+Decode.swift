import ShadowCore

extension SnapshotCodec {
    /// Checks `bytes` against `announcement` (length, then digest, then count) and decodes every
    /// reservation; any defect rejects the whole snapshot, so the caller keeps the old one.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, announcement: SnapshotAnnouncement
    ) throws(SnapshotError) -> [Reservation] {
        guard UInt64(bytes.count) == announcement.byteCount else {
            throw .lengthMismatch(expected: announcement.byteCount, actual: bytes.count)
        }
        let digest = SnapshotDigest.compute(bytes)
        guard digest == announcement.digest else { throw .digestMismatch(expected: announcement.digest, actual: digest) }
        let reservations = try decode(bytes)
        guard reservations.count == Int(announcement.reservationCount) else {
            throw .countMismatch(expected: announcement.reservationCount, actual: UInt32(reservations.count))
        }
        return reservations
    }

    /// Decodes a snapshot without an announcement (no digest check).
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(SnapshotError) -> [Reservation] {
        var r = ByteReader(bytes)
        guard let magicValue = try? r.u64(), magicValue == magic else { throw .badMagic }
        guard let v = try? r.u32() else { throw .truncated(record: -1, offset: r.offset) }
        guard v == version else { throw .unsupportedVersion(v) }
        guard let count = try? r.u32() else { throw .truncated(record: -1, offset: r.offset) }
        // Each record is at least 39 bytes: never reserve more than the data could hold.
        guard Int(count) <= r.remaining / 39 else { throw .truncated(record: r.remaining / 39, offset: bytes.count) }
        var out: [Reservation] = []
        out.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            do {
                out.append(try decodeRecord(&r))
            } catch {
                switch error {
                case .truncated(let offset, _): throw .truncated(record: index, offset: offset)
                case .invalid(let field, let offset): throw .invalidField(record: index, field: field, offset: offset)
                }
            }
        }
        guard r.isAtEnd else { throw .trailingBytes(r.remaining) }
        return out
    }

    private static func decodeRecord(_ r: inout ByteReader) throws(ByteReader.Failure) -> Reservation {
        let flagsAt = r.offset
        let flags = try r.u16()
        guard flags & ~Presence.all == 0 else { throw r.invalid("flags", at: flagsAt) }
        let ipv4 = IPv4Address(try r.u32())
        let na = IPv6Address(high: try r.u64(), low: try r.u64())
        let pdAddress = IPv6Address(high: try r.u64(), low: try r.u64())
        let lengthAt = r.offset
        let pdLength = try r.u8()
        guard pdLength <= 128 else { throw r.invalid("ipv6_pd length", at: lengthAt) }
        let pd = IPv6Prefix(address: pdAddress, prefixLength: pdLength)
        var mac: MACAddress?
        if flags & Presence.mac != 0 {
            let low = UInt64(try r.u16()), high = UInt64(try r.u32())
            mac = MACAddress(value: high << 16 | low)
        }
        var duid: DUID?
        if flags & Presence.duid != 0 {
            let at = r.offset
            let count = Int(try r.u8())
            guard count > 0 else { throw r.invalid("duid", at: at) }
            duid = DUID(bytes: Array(try r.bytes(count)))
        }
        var o82: Option82?
        if flags & Presence.option82 != 0 {
            o82 = try option82(flags, &r)
        } else if flags & (Presence.o82Circuit | Presence.o82Remote | Presence.o82Subscriber) != 0 {
            throw r.invalid("option82 flags", at: flagsAt)
        }
        var o1837: Option1837?
        if flags & Presence.option1837 != 0 {
            o1837 = try option1837(flags, &r)
        } else if flags & (Presence.o1837Interface | Presence.o1837Remote | Presence.o1837Enterprise) != 0 {
            throw r.invalid("option1837 flags", at: flagsAt)
        }
        // Built once from locals: mutating a Reservation field by field costs a copy each time.
        return Reservation(ipv4: ipv4, ipv6NA: na, ipv6PD: pd, mac: mac, duid: duid, option82: o82, option1837: o1837)
    }

    private static func option82(_ flags: UInt16, _ r: inout ByteReader) throws(ByteReader.Failure) -> Option82 {
        let circuit = flags & Presence.o82Circuit != 0 ? try r.string16(field: "option82 circuit") : nil
        let remote = flags & Presence.o82Remote != 0 ? try r.string16(field: "option82 remote") : nil
        let subscriber = flags & Presence.o82Subscriber != 0 ? try r.string16(field: "option82 subscriber") : nil
        return Option82(circuit: circuit, remote: remote, subscriber: subscriber)
    }

    private static func option1837(_ flags: UInt16, _ r: inout ByteReader) throws(ByteReader.Failure) -> Option1837 {
        let interface = flags & Presence.o1837Interface != 0 ? try r.string16(field: "option1837 interface") : nil
        let remote = flags & Presence.o1837Remote != 0 ? try r.string16(field: "option1837 remote") : nil
        let enterprise = flags & Presence.o1837Enterprise != 0 ? try r.u32() : nil
        return Option1837(interface: interface, remote: remote, enterpriseNumber: enterprise)
    }
}
