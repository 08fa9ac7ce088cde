import ShadowCore

/// Writes the client-facing Advertise or Reply. Options in ascending code order:
/// 1, 2, 3…, 7, 13, 14, 23, 25….
enum ReplyEncoder {
    static func write(_ plan: DHCPv6ReplyPlan, for message: DHCPv6ClientMessage, source: UnsafeRawBufferPointer,
                      serverID: [UInt8], leases: LeaseTimes, dns: [IPv6Address], into w: inout WireWriter) {
        w.u8(plan.type.rawValue)
        w.u24(message.transactionID)
        if let clientID = message.clientID {
            w.option(DHCPv6OptionCode.clientID, copying: clientID, of: source)
        }
        let sid = w.beginOption(DHCPv6OptionCode.serverID)
        w.bytes(serverID)
        w.endOption(sid)
        writeIAs(code: DHCPv6OptionCode.iaNA, plan: plan.iaNA, message: message, source: source) { answer, ia in
            IANAEncoder.write(answer, ia: ia, source: source, reserved: plan.reservedNA,
                              leases: leases, into: &w)
        }
        if plan.preference {
            let start = w.beginOption(DHCPv6OptionCode.preference)
            w.u8(255)
            w.endOption(start)
        }
        if let status = plan.status { StatusCodeEncoder.write(status, into: &w) }
        if plan.rapidCommit { w.endOption(w.beginOption(DHCPv6OptionCode.rapidCommit)) }
        if plan.dns && !dns.isEmpty {
            let start = w.beginOption(DHCPv6OptionCode.dnsServers)
            for server in dns { w.address(server) }
            w.endOption(start)
        }
        writeIAs(code: DHCPv6OptionCode.iaPD, plan: plan.iaPD, message: message, source: source) { answer, ia in
            IAPDEncoder.write(answer, ia: ia, source: source, reserved: plan.reservedPD,
                              leases: leases, into: &w)
        }
    }

    /// Calls `body` for every client IA with `code`, in wire order, with the answer the plan gives it.
    private static func writeIAs(code: UInt16, plan: IAPlan, message: DHCPv6ClientMessage,
                                 source: UnsafeRawBufferPointer, _ body: (IAAnswer, Range<Int>) -> Void) {
        guard plan != .omitted else { return }
        var first = true
        DHCPv6OptionWalker(buffer: source, range: message.options, messageOffset: message.offset)
            .forEachValidated(code: code) { option in
                let answer = first ? plan.first : plan.rest
                first = false
                if answer != .omitted { body(answer, option.payload) }
            }
    }
}
