import ShadowCore

/// The fields of a Relay-reply the load generator checks, read without allocating: the client
/// message inside the first Relay Message option of the outermost level (one relay level).
public struct V6ReplySummary: Sendable, Hashable {
    /// Inner message type (2 Advertise, 7 Reply).
    public var messageType: UInt8
    /// 24-bit transaction id.
    public var xid: UInt32
    /// Byte range of the Server Identifier payload in the datagram, if present.
    public var serverID: Range<Int>?
    /// The first IA Address of the first IA_NA, if any.
    public var address: IPv6Address?
    /// The first IA Prefix of the first IA_PD, if any.
    public var prefix: IPv6Prefix?
    /// Where the client message starts in the datagram.
    public var messageOffset: Int

    /// Nil unless `b` is a Relay-reply (13) with a well-formed Relay Message holding a client message.
    public init?(_ b: UnsafeRawBufferPointer) {
        guard b.count >= 34, b[0] == 13 else { return nil }
        var inner: Range<Int>?
        guard V6Options.walk(b, 34..<b.count, { code, r in if code == 9 && inner == nil { inner = r } }),
              let inner, inner.count >= 4, b[inner.lowerBound] != 13 else { return nil }
        messageOffset = inner.lowerBound
        messageType = b[inner.lowerBound]
        xid = UInt32(b[inner.lowerBound + 1]) << 16 | UInt32(b.wireU16(inner.lowerBound + 2))
        var server: Range<Int>?, address: IPv6Address?, prefix: IPv6Prefix?
        let ok = V6Options.walk(b, (inner.lowerBound + 4)..<inner.upperBound) { code, r in
            switch code {
            case 2 where server == nil: server = r
            case 3 where address == nil: address = V6Options.firstIAAddress(b, r)
            case 25 where prefix == nil: prefix = V6Options.firstIAPrefix(b, r)
            default: break
            }
        }
        guard ok else { return nil }
        serverID = server
        self.address = address
        self.prefix = prefix
    }
}

/// DHCPv6 option lists.
enum V6Options {
    /// Calls `body(code, payloadRange)` for each option in `range`; false when one overruns it.
    @discardableResult
    static func walk(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, _ body: (UInt16, Range<Int>) -> Void) -> Bool {
        var i = range.lowerBound
        while i < range.upperBound {
            guard i + 4 <= range.upperBound else { return false }
            let code = b.wireU16(i), length = Int(b.wireU16(i + 2))
            guard i + 4 + length <= range.upperBound else { return false }
            body(code, (i + 4)..<(i + 4 + length))
            i += 4 + length
        }
        return true
    }

    /// The first IA Address (5) inside an IA_NA payload (after IAID, T1, T2).
    static func firstIAAddress(_ b: UnsafeRawBufferPointer, _ ia: Range<Int>) -> IPv6Address? {
        guard ia.count >= 12 else { return nil }
        var found: IPv6Address?
        walk(b, (ia.lowerBound + 12)..<ia.upperBound) { code, r in
            if code == 5, r.count >= 24, found == nil { found = b.wireIPv6(r.lowerBound) }
        }
        return found
    }

    /// The first IA Prefix (26) inside an IA_PD payload.
    static func firstIAPrefix(_ b: UnsafeRawBufferPointer, _ ia: Range<Int>) -> IPv6Prefix? {
        guard ia.count >= 12 else { return nil }
        var found: IPv6Prefix?
        walk(b, (ia.lowerBound + 12)..<ia.upperBound) { code, r in
            guard code == 26, r.count >= 25, found == nil, b[r.lowerBound + 8] <= 128 else { return }
            found = IPv6Prefix(address: b.wireIPv6(r.lowerBound + 9), prefixLength: b[r.lowerBound + 8])
        }
        return found
    }
}
