import ShadowCore

/// A client message (Solicit, Request, …) decoded in place: header fields copied, the options the
/// engine needs recorded as byte ranges of the datagram, IAs validated but left on the wire.
public struct DHCPv6ClientMessage: Hashable, Sendable {
    /// Offset of the msg-type byte in the datagram.
    public var offset: Int
    public var rawType: UInt8
    public var transactionID: UInt32
    /// The byte range holding the options.
    public var options: Range<Int>
    /// Payload of the first Client Identifier (1).
    public var clientID: Range<Int>?
    /// Payload of the first Server Identifier (2).
    public var serverID: Range<Int>?
    public var hasRapidCommit = false
    public var hasOptionRequest = false
    /// Payload of the last Option Request Option (6): the codes the client asks for.
    public var optionRequest: Range<Int>?
    /// The Option Request Option lists DNS Recursive Name Servers (23).
    public var requestsDNS = false
    public var iaNACount = 0
    public var iaTACount = 0
    public var iaPDCount = 0
    /// Some IA_NA lists at least one IA Address.
    public var listsAnyAddress = false
    /// First IA Address of the first IA_NA.
    public var requestedNA: IPv6Address?
    /// First IA Prefix of the first IA_PD, as sent.
    public var requestedPD: IPv6Prefix?

    public var type: DHCPv6MessageType? { DHCPv6MessageType(rawValue: rawType) }

    /// Decodes the client message in `range` of `buffer`. The options of message types 1–11 are
    /// validated; other types are returned with their header only.
    public static func decode(_ buffer: UnsafeRawBufferPointer,
                              range: Range<Int>) throws(DHCPv6DecodeError) -> DHCPv6ClientMessage {
        let at = range.lowerBound
        guard range.count >= DHCPv6Wire.clientHeaderLength else {
            throw DHCPv6DecodeError(.shortHeader, offset: at, messageOffset: at)
        }
        var m = DHCPv6ClientMessage(offset: at, rawType: buffer.u8(at), transactionID: buffer.u24(at + 1),
                                    options: (at + DHCPv6Wire.clientHeaderLength)..<range.upperBound)
        // Only the client/server message format (types 1–11) is understood; anything else (a
        // Relay-reply, DHCPv4-over-DHCPv6, unknown types) is left unparsed and later discarded.
        guard (1...11).contains(m.rawType) else { return m }
        let walker = DHCPv6OptionWalker(buffer: buffer, range: m.options, messageOffset: at)
        try walker.forEach { (option) throws(DHCPv6DecodeError) in
            try m.record(option, in: buffer)
        }
        return m
    }

    init(offset: Int, rawType: UInt8, transactionID: UInt32, options: Range<Int>) {
        self.offset = offset
        self.rawType = rawType
        self.transactionID = transactionID
        self.options = options
    }

    private mutating func record(_ option: DHCPv6OptionSpan,
                                 in buffer: UnsafeRawBufferPointer) throws(DHCPv6DecodeError) {
        switch option.code {
        case DHCPv6OptionCode.clientID:
            guard option.payload.count <= DUID.maximumLength else {
                throw DHCPv6DecodeError(.clientIDTooLong, optionCode: option.code, offset: option.offset,
                                        messageOffset: offset)
            }
            if clientID == nil { clientID = option.payload }
        case DHCPv6OptionCode.serverID:
            if serverID == nil { serverID = option.payload }
        case DHCPv6OptionCode.rapidCommit:
            hasRapidCommit = true
        case DHCPv6OptionCode.optionRequest:
            try recordOptionRequest(option, in: buffer)
        case DHCPv6OptionCode.iaNA:
            try recordIANA(option, in: buffer)
        case DHCPv6OptionCode.iaPD:
            try recordIAPD(option, in: buffer)
        case DHCPv6OptionCode.iaTA:
            iaTACount += 1
        default:
            break
        }
    }

    private mutating func recordOptionRequest(_ option: DHCPv6OptionSpan,
                                              in buffer: UnsafeRawBufferPointer) throws(DHCPv6DecodeError) {
        guard option.payload.count % 2 == 0 else { throw malformed(option) }
        hasOptionRequest = true
        optionRequest = option.payload
        var i = option.payload.lowerBound
        while i < option.payload.upperBound {
            if buffer.u16(i) == DHCPv6OptionCode.dnsServers { requestsDNS = true }
            i += 2
        }
    }

    private mutating func recordIANA(_ option: DHCPv6OptionSpan,
                                     in buffer: UnsafeRawBufferPointer) throws(DHCPv6DecodeError) {
        guard option.payload.count >= DHCPv6Wire.iaHeaderLength else { throw malformed(option) }
        let first = iaNACount == 0
        iaNACount += 1
        let inner = (option.payload.lowerBound + DHCPv6Wire.iaHeaderLength)..<option.payload.upperBound
        let me = offset
        try DHCPv6OptionWalker(buffer: buffer, range: inner, messageOffset: offset).forEach {
            (sub) throws(DHCPv6DecodeError) in
            guard sub.code == DHCPv6OptionCode.iaAddress else { return }
            guard sub.payload.count >= DHCPv6Wire.iaAddressLength else {
                throw DHCPv6DecodeError(.malformedOption, optionCode: sub.code, offset: sub.offset, messageOffset: me)
            }
            try DHCPv6ClientMessage.validateSubOptions(buffer, sub, fixed: DHCPv6Wire.iaAddressLength, me)
            listsAnyAddress = true
            if first && requestedNA == nil { requestedNA = buffer.ipv6(sub.payload.lowerBound) }
        }
    }

    private mutating func recordIAPD(_ option: DHCPv6OptionSpan,
                                     in buffer: UnsafeRawBufferPointer) throws(DHCPv6DecodeError) {
        guard option.payload.count >= DHCPv6Wire.iaHeaderLength else { throw malformed(option) }
        let first = iaPDCount == 0
        iaPDCount += 1
        let inner = (option.payload.lowerBound + DHCPv6Wire.iaHeaderLength)..<option.payload.upperBound
        let me = offset
        try DHCPv6OptionWalker(buffer: buffer, range: inner, messageOffset: offset).forEach {
            (sub) throws(DHCPv6DecodeError) in
            guard sub.code == DHCPv6OptionCode.iaPrefix else { return }
            let p = sub.payload.lowerBound
            guard sub.payload.count >= DHCPv6Wire.iaPrefixLength, buffer.u8(p + 8) <= 128 else {
                throw DHCPv6DecodeError(.malformedOption, optionCode: sub.code, offset: sub.offset, messageOffset: me)
            }
            try DHCPv6ClientMessage.validateSubOptions(buffer, sub, fixed: DHCPv6Wire.iaPrefixLength, me)
            if first && requestedPD == nil {
                requestedPD = IPv6Prefix(address: buffer.ipv6(p + 9), prefixLength: buffer.u8(p + 8))
            }
        }
    }

    /// IA Address and IA Prefix options may carry sub-options after their fixed part; they must fit.
    private static func validateSubOptions(_ buffer: UnsafeRawBufferPointer, _ option: DHCPv6OptionSpan,
                                           fixed: Int, _ messageOffset: Int) throws(DHCPv6DecodeError) {
        let inner = (option.payload.lowerBound + fixed)..<option.payload.upperBound
        try DHCPv6OptionWalker(buffer: buffer, range: inner, messageOffset: messageOffset).forEach { _ in }
    }

    private func malformed(_ option: DHCPv6OptionSpan) -> DHCPv6DecodeError {
        DHCPv6DecodeError(.malformedOption, optionCode: option.code, offset: option.offset, messageOffset: offset)
    }
}
