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

    /// Calls `body` with the code and handle of each optional value in wire order until it returns
    /// false.
    @inline(__always)
    static func forEach(_ source: DHCPOptionTable, requested prl: UnsafeRawBufferPointer,
                                             _ body: (UInt8, Int) -> Bool) {
        var listed = OptionCodeSet()
        for code in prl {
            guard listed.insert(code), let handle = source.handle(of: UInt16(code)),
                  !isServerWritten(UInt16(code)) else { continue }
            if !body(code, handle) { return }
        }
        source.forEachAlwaysSend { code, handle in
            guard code <= 254, !isServerWritten(code), !listed.contains(UInt8(code)) else { return true }
            return body(UInt8(code), handle)
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
    /// One walk over option 55 notes the candidates (codes, on the stack) and how many fit; the
    /// second writes those.
    static func write(_ source: DHCPOptionTable, requested prl: UnsafeRawBufferPointer, budget: Int,
                                           into w: inout DHCPv4ReplyWriter) -> Int {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { chosen in
            var remaining = budget, candidates = 0, fitting = 0
            forEach(source, requested: prl) { code, handle in
                candidates += 1
                let size = DHCPv4ReplyWriter.encodedLength(ofValue: source.valueCount(handle))
                if fitting == candidates - 1 && size <= remaining {
                    remaining -= size
                    chosen[fitting] = code
                    fitting += 1
                }
                return true
            }
            for i in 0..<fitting {
                let code = chosen[i]
                guard let handle = source.handle(of: UInt16(code)) else { continue }
                source.withValue(handle) { w.option(code, long: $0) }
            }
            return candidates - fitting
        }
    }
}

/// A set of one-byte option codes, on the stack (four words): which codes option 55 listed.
struct OptionCodeSet {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    @inline(__always)
    func contains(_ code: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(code & 63)
        switch code >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    /// Adds `code`; false when it was already there.
    @inline(__always)
    mutating func insert(_ code: UInt8) -> Bool {
        guard !contains(code) else { return false }
        let bit = UInt64(1) << UInt64(code & 63)
        switch code >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
        return true
    }
}
