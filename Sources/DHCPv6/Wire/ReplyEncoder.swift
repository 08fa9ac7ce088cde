import ShadowCore

/// Writes the client-facing Advertise or Reply. Options in ascending code order:
/// 1, 2, 3…, 7, 13, 14, configured ones below 23, 23, 24, 25…, configured ones above 26
/// (``ConfiguredOptionsV6``).
enum ReplyEncoder {
    static func write(_ plan: DHCPv6ReplyPlan, for message: DHCPv6ClientMessage, source: UnsafeRawBufferPointer,
                      serverID: [UInt8], leases: LeaseTimes, dns: [IPv6Address], options: DHCPOptionTable?,
                      into w: inout WireWriter) {
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
        let levels = options.flatMap { $0.hasNoEntries ? nil : $0 }
        var walk = ConfiguredOptionsV6.Walk(
            levels,
            oro: levels == nil ? UnsafeRawBufferPointer(start: nil, count: 0)
                : message.optionRequest.map { UnsafeRawBufferPointer(rebasing: source[$0]) } ?? UnsafeRawBufferPointer(start: nil, count: 0),
            informationRequest: plan.informationRequest)
        if let levels {
            ConfiguredOptionsV6.write(levels, through: 22, walk: &walk, into: &w)
        }
        if plan.dns {
            if let levels, let servers = levels.handle(of: DHCPv6OptionCode.dnsServers) {
                let start = w.beginOption(DHCPv6OptionCode.dnsServers)
                levels.withValue(servers) { w.bytes($0, 0..<$0.count) }
                w.endOption(start)
            } else if !dns.isEmpty {
                let start = w.beginOption(DHCPv6OptionCode.dnsServers)
                for server in dns { w.address(server) }
                w.endOption(start)
            }
        }
        if let levels {
            ConfiguredOptionsV6.write(levels, through: 24, walk: &walk, into: &w)
        }
        writeIAs(code: DHCPv6OptionCode.iaPD, plan: plan.iaPD, message: message, source: source) { answer, ia in
            IAPDEncoder.write(answer, ia: ia, source: source, reserved: plan.reservedPD,
                              leases: leases, into: &w)
        }
        if let levels {
            ConfiguredOptionsV6.write(levels, through: UInt16.max, walk: &walk, into: &w)
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
