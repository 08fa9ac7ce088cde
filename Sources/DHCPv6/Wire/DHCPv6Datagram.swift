/// A received datagram decoded in place: the chain of Relay-forward levels (outermost first) and the
/// client message inside the innermost one. Holds the caller's buffer; valid only while it is.
public struct DHCPv6Datagram {
    public let buffer: UnsafeRawBufferPointer
    /// The level the server received (adjacent to the server).
    public var outermost: DHCPv6RelayLevel
    /// The level adjacent to the client: its peer-address is the client's address, and its options
    /// 18, 37 and 79 describe the client's attachment.
    public var innermost: DHCPv6RelayLevel
    /// Number of Relay-forward levels, 1–32.
    public var depth: Int
    public var client: DHCPv6ClientMessage

    /// Decodes a datagram received on the server port. The outer message must be a RELAY-FORW (12);
    /// every level's hop-count must be ≤ 32 and there may be at most 32 levels; every option must
    /// fit in its enclosing message. Allocates nothing.
    public static func decode(_ buffer: UnsafeRawBufferPointer) throws(DHCPv6DecodeError) -> DHCPv6Datagram {
        var datagram = try decodeRelays(buffer)
        let payload = datagram.innermost.relayMessage ?? datagram.innermost.end..<datagram.innermost.end
        datagram.client = try DHCPv6ClientMessage.decode(buffer, range: payload)
        return datagram
    }

    /// Decodes the relay chain only; ``client`` is left empty (type 0, no options) for the caller
    /// to decode from ``innermost``'s Relay Message. Lets a caller report relay fields when the
    /// client message is the broken part.
    public static func decodeRelays(_ buffer: UnsafeRawBufferPointer) throws(DHCPv6DecodeError) -> DHCPv6Datagram {
        guard buffer.count >= DHCPv6Wire.relayHeaderLength else {
            throw DHCPv6DecodeError(.shortHeader, offset: 0, messageOffset: 0)
        }
        guard buffer.u8(0) == DHCPv6MessageType.relayForward.rawValue else {
            throw DHCPv6DecodeError(.notRelayForward, offset: 0, messageOffset: 0)
        }
        let outer = try decodeLevel(buffer, range: 0..<buffer.count)
        var inner = outer
        var depth = 1
        while true {
            // decodeLevel guarantees a relay message.
            let payload = inner.relayMessage ?? inner.end..<inner.end
            guard payload.count >= 1 && buffer.u8(payload.lowerBound) == DHCPv6MessageType.relayForward.rawValue
            else { break }
            guard depth < DHCPv6Wire.maximumRelayDepth else {
                throw DHCPv6DecodeError(.relayTooDeep, optionCode: DHCPv6OptionCode.relayMessage,
                                        offset: payload.lowerBound, messageOffset: inner.offset)
            }
            inner = try decodeLevel(buffer, range: payload)
            depth += 1
        }
        let empty = DHCPv6ClientMessage(offset: inner.end, rawType: 0, transactionID: 0, options: inner.end..<inner.end)
        return DHCPv6Datagram(buffer: buffer, outermost: outer, innermost: inner, depth: depth, client: empty)
    }

    /// One relay level with the checks every level gets: hop-count and a Relay Message present.
    private static func decodeLevel(_ buffer: UnsafeRawBufferPointer,
                                    range: Range<Int>) throws(DHCPv6DecodeError) -> DHCPv6RelayLevel {
        let level = try DHCPv6RelayLevel.decode(buffer, range: range)
        guard level.hopCount <= DHCPv6Wire.maximumHopCount else {
            throw DHCPv6DecodeError(.hopCountTooHigh, offset: level.offset + 1, messageOffset: level.offset)
        }
        guard level.relayMessage != nil else {
            throw DHCPv6DecodeError(.noRelayMessage, optionCode: DHCPv6OptionCode.relayMessage,
                                    offset: level.offset, messageOffset: level.offset)
        }
        return level
    }

    /// The relay level at `index` (0 = outermost). The chain was validated by ``decode(_:)``.
    public func relayLevel(_ index: Int) -> DHCPv6RelayLevel {
        precondition(index >= 0 && index < depth)
        if index == 0 { return outermost }
        if index == depth - 1 { return innermost }
        var level = outermost
        for _ in 0..<index {
            let payload = level.relayMessage ?? level.end..<level.end
            guard let next = try? DHCPv6RelayLevel.decode(buffer, range: payload) else { break }
            level = next
        }
        return level
    }
}
