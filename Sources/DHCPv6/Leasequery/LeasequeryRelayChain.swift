import ShadowCore

/// The Relay-forward chain of a received datagram as OPTION_LQ_RELAY_DATA keeps it (RFC 5007
/// §4.1.2.4: the last Relay-forward, excluding the client's message): every level with its
/// header and options, the innermost level without its Relay Message option.
public enum LeasequeryRelayChain {
    /// Writes the chain of the Relay-forward `datagram` into `out`. Returns the length, or nil when
    /// the datagram is not a valid Relay-forward chain or the chain does not fit.
    public static func write(_ datagram: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int? {
        guard let packet = try? DHCPv6Datagram.decodeRelays(datagram) else { return nil }
        var w = WireWriter(out)
        writeLevel(packet.outermost, remaining: packet.depth, source: datagram, into: &w)
        return w.overflowed ? nil : w.position
    }

    private static func writeLevel(_ level: DHCPv6RelayLevel, remaining: Int, source: UnsafeRawBufferPointer,
                                   into w: inout WireWriter) {
        w.bytes(source, level.offset..<(level.offset + DHCPv6Wire.relayHeaderLength))
        let options = (level.offset + DHCPv6Wire.relayHeaderLength)..<level.end
        DHCPv6OptionWalker(buffer: source, range: options, messageOffset: level.offset).forEachOption { o in
            guard o.code == DHCPv6OptionCode.relayMessage else {
                w.bytes(source, o.offset..<o.payload.upperBound)
                return
            }
            guard remaining > 1, o.payload == level.relayMessage,
                  let next = try? DHCPv6RelayLevel.decode(source, range: o.payload) else { return }
            let start = w.beginOption(DHCPv6OptionCode.relayMessage)
            writeLevel(next, remaining: remaining - 1, source: source, into: &w)
            w.endOption(start)
        }
    }

    /// The bulk query keys of a stored chain (see ``LeasequeryRelayData/keys``).
    static func keys(of chain: UnsafeRawBufferPointer) -> LeasequeryRelayKeys? {
        var range = 0..<chain.count
        var keys: LeasequeryRelayKeys?
        for _ in 0..<DHCPv6Wire.maximumRelayDepth {
            guard let level = try? DHCPv6RelayLevel.decode(chain, range: range) else { break }
            var k = keys ?? LeasequeryRelayKeys(linkAddress: level.linkAddress)
            k.linkAddress = level.linkAddress
            DHCPv6OptionWalker(buffer: chain, range: (level.offset + DHCPv6Wire.relayHeaderLength)..<level.end,
                               messageOffset: level.offset).forEachOption { o in
                if o.code == LeasequeryOptionCode.relayID { k.relayIDs.append(chain.bytes(o.payload)) }
                if o.code == DHCPv6OptionCode.remoteID { k.remoteIDs.append(chain.bytes(o.payload)) }
            }
            keys = k
            guard let inner = level.relayMessage else { break }
            range = inner
        }
        return keys
    }
}

/// What a bulk leasequery (RFC 5460) can select a stored Relay-forward chain by.
public struct LeasequeryRelayKeys: Sendable, Hashable {
    /// The innermost level's link-address: the client's link.
    public var linkAddress: IPv6Address
    /// Payloads of every Relay-ID option (53) of the chain, outermost level first.
    public var relayIDs: [[UInt8]] = []
    /// Payloads of every Remote-ID option (37): enterprise number and remote-id.
    public var remoteIDs: [[UInt8]] = []
}

extension DHCPv6OptionWalker {
    /// Calls `body` for every option of an already validated walk, in wire order.
    func forEachOption(_ body: (DHCPv6OptionSpan) -> Void) {
        var at = range.lowerBound
        let end = range.upperBound
        while end - at >= DHCPv6Wire.optionHeaderLength {
            let length = Int(buffer.u16(at + 2))
            let start = at + DHCPv6Wire.optionHeaderLength
            guard length <= end - start else { return }
            body(DHCPv6OptionSpan(code: buffer.u16(at), offset: at, payload: start..<(start + length)))
            at = start + length
        }
    }
}
