import ShadowCore

/// Wraps a reply in one Relay-reply (13) per Relay-forward level, outermost first. Each level copies
/// hop-count, link-address and peer-address and carries Relay Message (9) then, when the
/// Relay-forward had one, its Interface-ID (18) echoed byte for byte.
enum RelayReplyEncoder {
    static func write(_ datagram: DHCPv6Datagram, into w: inout WireWriter,
                      inner: (inout WireWriter) -> Void) {
        writeLevel(datagram.outermost, remaining: datagram.depth, source: datagram.buffer, into: &w, inner: inner)
    }

    private static func writeLevel(_ level: DHCPv6RelayLevel, remaining: Int, source: UnsafeRawBufferPointer,
                                   into w: inout WireWriter, inner: (inout WireWriter) -> Void) {
        w.u8(DHCPv6MessageType.relayReply.rawValue)
        w.bytes(source, (level.offset + 1)..<(level.offset + DHCPv6Wire.relayHeaderLength))
        let relayMessage = w.beginOption(DHCPv6OptionCode.relayMessage)
        if remaining > 1, let payload = level.relayMessage,
           let next = try? DHCPv6RelayLevel.decode(source, range: payload) {
            writeLevel(next, remaining: remaining - 1, source: source, into: &w, inner: inner)
        } else {
            inner(&w)
        }
        w.endOption(relayMessage)
        if let interfaceID = level.interfaceID {
            w.option(DHCPv6OptionCode.interfaceID, copying: interfaceID, of: source)
        }
    }
}
