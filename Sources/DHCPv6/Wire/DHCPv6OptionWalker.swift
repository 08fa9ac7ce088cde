/// One option found in a datagram: its code, where its header starts and where its payload lies.
public struct DHCPv6OptionSpan: Hashable, Sendable {
    public var code: UInt16
    /// Offset of the option header in the datagram.
    public var offset: Int
    /// Payload byte range in the datagram.
    public var payload: Range<Int>
}

/// Walks the options stored in `range` of a datagram without copying. Every option must fit inside
/// `range`; otherwise the walk ends with ``DHCPv6DecodeError/Kind/optionOverrun``.
public struct DHCPv6OptionWalker {
    public let buffer: UnsafeRawBufferPointer
    public let range: Range<Int>
    /// Offset of the enclosing message, reported in errors.
    public let messageOffset: Int

    public init(buffer: UnsafeRawBufferPointer, range: Range<Int>, messageOffset: Int) {
        self.buffer = buffer
        self.range = range
        self.messageOffset = messageOffset
    }

    /// Calls `body` for every option in wire order.
    @inline(__always)
    public func forEach(_ body: (DHCPv6OptionSpan) throws(DHCPv6DecodeError) -> Void) throws(DHCPv6DecodeError) {
        var at = range.lowerBound
        let end = range.upperBound
        while at < end {
            guard end - at >= DHCPv6Wire.optionHeaderLength else {
                let code: UInt16? = end - at >= 2 ? buffer.u16(at) : nil
                throw DHCPv6DecodeError(.optionOverrun, optionCode: code, offset: at, messageOffset: messageOffset)
            }
            let code = buffer.u16(at)
            let length = Int(buffer.u16(at + 2))
            let start = at + DHCPv6Wire.optionHeaderLength
            guard length <= end - start else {
                throw DHCPv6DecodeError(.optionOverrun, optionCode: code, offset: at, messageOffset: messageOffset)
            }
            try body(DHCPv6OptionSpan(code: code, offset: at, payload: start..<(start + length)))
            at = start + length
        }
    }

    /// Calls `body` for the options with one code, in wire order. The walk is assumed valid
    /// (already checked by a decoder); an overrun simply ends it.
    @inline(__always)
    func forEachValidated(code: UInt16, _ body: (DHCPv6OptionSpan) -> Void) {
        var at = range.lowerBound
        let end = range.upperBound
        while end - at >= DHCPv6Wire.optionHeaderLength {
            let c = buffer.u16(at)
            let length = Int(buffer.u16(at + 2))
            let start = at + DHCPv6Wire.optionHeaderLength
            guard length <= end - start else { return }
            if c == code { body(DHCPv6OptionSpan(code: c, offset: at, payload: start..<(start + length))) }
            at = start + length
        }
    }
}
