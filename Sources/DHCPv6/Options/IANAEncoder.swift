import ShadowCore

/// Writes IA_NA options (3) answering the client's IA_NAs.
enum IANAEncoder {
    /// Answers one client IA_NA whose payload is `ia` in `source`.
    static func write(_ answer: IAAnswer, ia: Range<Int>, source: UnsafeRawBufferPointer,
                      reserved: IPv6Address?, leases: LeaseTimes, into w: inout WireWriter) {
        let iaid = source.u32(ia.lowerBound)
        let subOptions = (ia.lowerBound + DHCPv6Wire.iaHeaderLength)..<ia.upperBound
        let walker = DHCPv6OptionWalker(buffer: source, range: subOptions, messageOffset: 0)
        let start = w.beginOption(DHCPv6OptionCode.iaNA)
        w.u32(iaid)
        switch answer {
        case .reserved(let echoOthers):
            guard let reserved else { preconditionFailure("reserved IA without a reservation") }
            w.u32(leases.v6T1)
            w.u32(leases.v6T2)
            writeAddress(reserved, preferred: leases.v6Preferred, valid: leases.v6Valid, into: &w)
            if echoOthers {
                walker.forEachValidated(code: DHCPv6OptionCode.iaAddress) { sub in
                    let named = source.ipv6(sub.payload.lowerBound)
                    if named != reserved { writeAddress(named, preferred: 0, valid: 0, into: &w) }
                }
            }
        case .unavailable:
            w.u32(0)
            w.u32(0)
            StatusCodeEncoder.write(.noAddrsAvail, into: &w)
        case .noBindingEcho:
            w.bytes(source, (ia.lowerBound + 4)..<(ia.lowerBound + DHCPv6Wire.iaHeaderLength))
            walker.forEachValidated(code: DHCPv6OptionCode.iaAddress) { sub in
                writeAddress(source.ipv6(sub.payload.lowerBound), preferred: 0, valid: 0, into: &w)
            }
            StatusCodeEncoder.write(.noBinding, into: &w)
        case .noBindingBare:
            w.u32(0)
            w.u32(0)
            StatusCodeEncoder.write(.noBinding, into: &w)
        case .omitted:
            preconditionFailure("omitted IAs are filtered by the caller")
        }
        w.endOption(start)
    }

    /// An IA Address option (5) without sub-options.
    static func writeAddress(_ a: IPv6Address, preferred: UInt32, valid: UInt32, into w: inout WireWriter) {
        let start = w.beginOption(DHCPv6OptionCode.iaAddress)
        w.address(a)
        w.u32(preferred)
        w.u32(valid)
        w.endOption(start)
    }
}
