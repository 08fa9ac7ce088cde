import ShadowCore

/// The configured options (`options_v4` of the three levels) a DHCPv4 reply carries after the
/// options it always sends, and the size rule (docs/dhcpv4.md, "Options").
///
/// Order: every configured option the client lists in option 55, in the order of option 55 (each
/// once), then the `always_send` ones it did not list, in ascending code order. Options the
/// encoder writes itself (1, 3, 6, 51, 53, 54, 58, 59, 82) and 108 (RFC 8925, which shapes the
/// whole reply) are never among them.
enum ConfiguredOptionsV4 {
    /// Codes written by the encoder itself, never as a configured option in the optional part.
    @inline(__always)
    static func isServerWritten(_ code: UInt16) -> Bool {
        switch code {
        case 1, 3, 6, 51, 53, 54, 58, 59, 82, 108: true
        default: false
        }
    }

    /// The most a reply may hold for `request`: option 57 (at least 576, the smallest legal
    /// value; 576 without it) less the IP and UDP headers (28 bytes; RFC 2131 §2: 576 octets is an
    /// IP datagram), and never more than `bufferCount`.
    @inline(__always)
    static func sizeLimit(for request: DHCPv4Message, bufferCount: Int) -> Int {
        let maximum = max(Int(request.maximumMessageSize ?? 576), 576)
        return min(maximum - 28, bufferCount)
    }

    /// Writes the optional options that fit in `budget` bytes, leaving out the ones it cannot fit
    /// from the end of the order (the last listed in option 55 first, the unrequested `always_send`
    /// ones before any requested one). Returns how many were left out.
    ///
    /// One walk in wire order: each option is copied ready-made (``DHCPOptionTable/unsafeV4Wire``,
    /// RFC 3396 instances included) while everything so far has fit; from the first that does not,
    /// the rest are only counted.
    ///
    /// A list answered in full before is answered from the table's ``DHCPOptionTable/v4ReplyCache``
    /// with one copy when all of that answer fits `budget`: the walk would write the same bytes.
    @inline(__always)
    static func write(_ source: DHCPOptionTable, requested prl: UnsafeRawBufferPointer, budget: Int,
                      into w: inout DHCPv4ReplyWriter) -> Int {
        let cache = source.v4ReplyCache
        if let hit = cache.lookup(prl), hit.count <= budget {
            w.append(hit)
            return 0
        }
        let start = w.position
        let omitted = walk(source, requested: prl, budget: budget, into: &w)
        if omitted == 0 && !w.overflowed { cache.store(key: prl, value: w.written(from: start)) }
        return omitted
    }

    /// ``write(_:requested:budget:into:)`` without the cache.
    static func walk(_ source: DHCPOptionTable, requested prl: UnsafeRawBufferPointer, budget: Int,
                     into w: inout DHCPv4ReplyWriter) -> Int {
        let wire = source.unsafeV4Wire  // `source` is held for the whole call
        var listed = OptionCodeSet()
        var remaining = budget, omitted = 0
        for code in prl {
            guard let p = wire.position(of: code), listed.insert(code), !isServerWritten(UInt16(code)) else { continue }
            let option = wire.option(at: p)
            if omitted == 0 && option.count <= remaining {
                remaining &-= option.count
                w.append(option)
            } else {
                omitted &+= 1
            }
        }
        for p in source.alwaysSendPositions {
            let code = wire.codes[p]
            guard code <= 254, !isServerWritten(code), !listed.contains(UInt8(code)) else { continue }
            let option = wire.option(at: p)
            if omitted == 0 && option.count <= remaining {
                remaining &-= option.count
                w.append(option)
            } else {
                omitted &+= 1
            }
        }
        return omitted
    }
}
