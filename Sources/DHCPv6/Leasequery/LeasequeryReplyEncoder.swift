import ShadowCore

/// Writes LEASEQUERY-REPLY (15), LEASEQUERY-DATA (17) and LEASEQUERY-DONE (16) messages.
public enum LeasequeryReplyEncoder {
    /// A LEASEQUERY-REPLY: the requestor's Client Identifier (copied from the query), our Server
    /// Identifier, then the Status Code when not Success, OPTION_CLIENT_DATA and
    /// OPTION_LQ_RELAY_DATA for a binding (RFC 5007 §4.3.3). Returns the length, nil when it does not fit.
    public static func reply(transactionID: UInt32, requestorID: UnsafeRawBufferPointer?, serverID: [UInt8],
                             status: LeasequeryStatus?, binding: LeasequeryBinding?,
                             into out: UnsafeMutableRawBufferPointer) -> Int? {
        var w = WireWriter(out)
        writeReply(transactionID: transactionID, requestorID: requestorID, serverID: serverID, status: status,
                   binding: binding, into: &w)
        return w.overflowed ? nil : w.position
    }

    /// A LEASEQUERY-DATA with one more binding of a bulk answer (RFC 5460 §5.2). Returns the length,
    /// nil when it does not fit.
    public static func data(transactionID: UInt32, binding: LeasequeryBinding,
                            into out: UnsafeMutableRawBufferPointer) -> Int? {
        var w = WireWriter(out)
        w.u8(LeasequeryMessageType.data.rawValue)
        w.u24(transactionID)
        writeBinding(binding, into: &w)
        return w.overflowed ? nil : w.position
    }

    /// A LEASEQUERY-DONE ending a bulk answer (RFC 5460 §5.2), with a Status Code when not Success.
    public static func done(transactionID: UInt32, status: LeasequeryStatus?,
                            into out: UnsafeMutableRawBufferPointer) -> Int? {
        var w = WireWriter(out)
        w.u8(LeasequeryMessageType.done.rawValue)
        w.u24(transactionID)
        if let status { writeStatus(status, into: &w) }
        return w.overflowed ? nil : w.position
    }

    static func writeReply(transactionID: UInt32, requestorID: UnsafeRawBufferPointer?, serverID: [UInt8],
                           status: LeasequeryStatus?, binding: LeasequeryBinding?, into w: inout WireWriter) {
        w.u8(LeasequeryMessageType.reply.rawValue)
        w.u24(transactionID)
        if let requestorID {
            let start = w.beginOption(DHCPv6OptionCode.clientID)
            w.bytes(requestorID, 0..<requestorID.count)
            w.endOption(start)
        }
        let sid = w.beginOption(DHCPv6OptionCode.serverID)
        w.bytes(serverID)
        w.endOption(sid)
        if let status, status != .success { writeStatus(status, into: &w) }
        if let binding { writeBinding(binding, into: &w) }
    }

    /// OPTION_CLIENT_DATA (45) — Client Identifier, IA Address, IA Prefix, OPTION_CLT_TIME — then
    /// OPTION_LQ_RELAY_DATA (47) when the relay data is known.
    static func writeBinding(_ b: LeasequeryBinding, into w: inout WireWriter) {
        let data = w.beginOption(LeasequeryOptionCode.clientData)
        if let clientID = b.clientID {
            let start = w.beginOption(DHCPv6OptionCode.clientID)
            w.bytes(clientID)
            w.endOption(start)
        }
        IANAEncoder.writeAddress(b.address, preferred: b.preferredLifetime, valid: b.validLifetime, into: &w)
        IAPDEncoder.writePrefix(b.prefix, preferred: b.preferredLifetime, valid: b.validLifetime, into: &w)
        let clt = w.beginOption(LeasequeryOptionCode.cltTime)
        w.u32(b.cltTime)
        w.endOption(clt)
        w.endOption(data)
        if let relay = b.relay {
            let start = w.beginOption(LeasequeryOptionCode.relayData)
            w.address(relay.peerAddress)
            w.bytes(relay.message)
            w.endOption(start)
        }
    }

    static func writeStatus(_ status: LeasequeryStatus, into w: inout WireWriter) {
        let start = w.beginOption(DHCPv6OptionCode.statusCode)
        w.u16(status.rawValue)
        w.text(status.message)
        w.endOption(start)
    }
}
