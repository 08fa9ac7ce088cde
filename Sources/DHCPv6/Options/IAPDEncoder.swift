import ShadowCore

/// Writes IA_PD options (25) answering the client's IA_PDs.
enum IAPDEncoder {
    /// Answers one client IA_PD whose payload is `ia` in `source`. Sub-options follow ascending
    /// code order: Status Code (13) before IA Prefix (26).
    static func write(_ answer: IAAnswer, ia: Range<Int>, source: UnsafeRawBufferPointer,
                      reserved: IPv6Prefix?, leases: LeaseTimes, into w: inout WireWriter) {
        let iaid = source.u32(ia.lowerBound)
        let subOptions = (ia.lowerBound + DHCPv6Wire.iaHeaderLength)..<ia.upperBound
        let walker = DHCPv6OptionWalker(buffer: source, range: subOptions, messageOffset: 0)
        let start = w.beginOption(DHCPv6OptionCode.iaPD)
        w.u32(iaid)
        switch answer {
        case .reserved(let echoOthers):
            guard let reserved else { preconditionFailure("reserved IA without a reservation") }
            w.u32(leases.v6T1)
            w.u32(leases.v6T2)
            writePrefix(reserved, preferred: leases.v6Preferred, valid: leases.v6Valid, into: &w)
            if echoOthers {
                walker.forEachValidated(code: DHCPv6OptionCode.iaPrefix) { sub in
                    let named = namedPrefix(sub, source)
                    if named != reserved { writePrefix(named, preferred: 0, valid: 0, into: &w) }
                }
            }
        case .unavailable:
            w.u32(0)
            w.u32(0)
            StatusCodeEncoder.write(.noPrefixAvail, into: &w)
        case .noBindingEcho:
            w.bytes(source, (ia.lowerBound + 4)..<(ia.lowerBound + DHCPv6Wire.iaHeaderLength))
            StatusCodeEncoder.write(.noBinding, into: &w)
            walker.forEachValidated(code: DHCPv6OptionCode.iaPrefix) { sub in
                writePrefix(namedPrefix(sub, source), preferred: 0, valid: 0, into: &w)
            }
        case .noBindingBare:
            w.u32(0)
            w.u32(0)
            StatusCodeEncoder.write(.noBinding, into: &w)
        case .omitted:
            preconditionFailure("omitted IAs are filtered by the caller")
        }
        w.endOption(start)
    }

    private static func namedPrefix(_ sub: DHCPv6OptionSpan, _ source: UnsafeRawBufferPointer) -> IPv6Prefix {
        let p = sub.payload.lowerBound
        return IPv6Prefix(address: source.ipv6(p + 9), prefixLength: min(source.u8(p + 8), 128))
    }

    /// An IA Prefix option (26) without sub-options.
    static func writePrefix(_ prefix: IPv6Prefix, preferred: UInt32, valid: UInt32, into w: inout WireWriter) {
        let start = w.beginOption(DHCPv6OptionCode.iaPrefix)
        w.u32(preferred)
        w.u32(valid)
        w.u8(prefix.prefixLength)
        w.address(prefix.address)
        w.endOption(start)
    }
}
