import ShadowCore

/// The configured options (`options_v6` of the three levels) a DHCPv6 Advertise or Reply carries
/// (docs/dhcpv6.md, "Options"): each one the client lists in its Option Request Option (6), and
/// each `always_send` one, in ascending code order like the rest of the reply. DNS (23) keeps its
/// own rule (``ReplyEncoder``); Information Refresh Time (32) goes only in the Reply to an
/// Information-request (RFC 8415 §21.23).
enum ConfiguredOptionsV6 {
    /// Codes the encoder writes itself (or that only a server's own logic may build): never sent as
    /// a configured option.
    @inline(__always)
    static func isServerWritten(_ code: UInt16) -> Bool {
        switch code {
        case 1...9, 11, 12, 13, 14, 18, 19, 20, 23, 25, 26, 37, 79: true
        default: false
        }
    }

    /// Writes the winners of `levels` whose code lies in `codes` and that the request asks for
    /// (or that are `always_send`).
    @inline(__always)
    static func write(_ source: DHCPOptionTable, codes: ClosedRange<UInt16>, oro: UnsafeRawBufferPointer,
                                           informationRequest: Bool, into w: inout WireWriter) {
        source.forEachValue { code, handle in
            guard code <= codes.upperBound else { return false }
            guard code >= codes.lowerBound, !isServerWritten(code) else { return true }
            if code == DHCPv6OptionCode.informationRefreshTime && !informationRequest { return true }
            guard source.isAlwaysSend(handle) || requests(oro, code) else { return true }
            let start = w.beginOption(code)
            source.withValue(handle) { w.bytes($0, 0..<$0.count) }
            w.endOption(start)
            return true
        }
    }

    /// Whether the Option Request Option payload `oro` lists `code`.
    @inline(__always)
    static func requests(_ oro: UnsafeRawBufferPointer, _ code: UInt16) -> Bool {
        var i = 0
        while i + 1 < oro.count {
            if UInt16(oro[i]) << 8 | UInt16(oro[i + 1]) == code { return true }
            i += 2
        }
        return false
    }
}
