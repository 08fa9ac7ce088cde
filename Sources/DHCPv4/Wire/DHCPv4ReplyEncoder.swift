import ShadowCore

extension DHCPv4Engine {
    /// Writes the reply for `plan` to `request` into `buffer`; nil when it does not fit.
    ///
    /// Header as RFC 2131 Table 3 (hops 0, secs 0, flags copied with the broadcast bit forced on for
    /// a NAK, giaddr and chaddr copied). Options in the order 53, 54, 51, 58, 59, 1, 3, 6, 82, End,
    /// with Option 82 echoed unchanged; padded with zeros to 300 bytes.
    func encode(_ plan: DHCPv4ReplyPlan, request: DHCPv4Message, into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        var w = DHCPv4ReplyWriter(buffer)
        writeHeader(plan, request: request, to: &w)
        w.option(DHCPv4Option.messageType, byte: plan.type.rawValue)
        w.option(DHCPv4Option.serverIdentifier, uint32: replyServerIdentifier(request).value)
        if plan.leaseTimes {
            w.option(DHCPv4Option.leaseTime, uint32: leases.v4Lease)
            w.option(DHCPv4Option.renewalTime, uint32: leases.v4T1)
            w.option(DHCPv4Option.rebindingTime, uint32: leases.v4T2)
        }
        if let subnet = plan.subnet {
            w.option(DHCPv4Option.subnetMask, uint32: subnet.replyMask.value)
            w.option(DHCPv4Option.router, uint32: subnet.gateway.value)
            w.option(DHCPv4Option.domainNameServer, addresses: dns)
        }
        if let relay = request.relayAgentInformation {
            w.option(DHCPv4Option.relayAgentInformation, payload: relay.payload)
        }
        return w.finish(minimumLength: BOOTP.minimumMessageLength)
    }

    private func writeHeader(_ plan: DHCPv4ReplyPlan, request m: DHCPv4Message, to w: inout DHCPv4ReplyWriter) {
        w.byte(BOOTP.reply)
        w.byte(BOOTP.htypeEthernet)
        w.byte(m.hlen)
        w.byte(0)                                   // hops
        w.copy(m.bytes.slice(BOOTP.xidOffset, 4))   // xid
        w.uint16(0)                                 // secs
        w.uint16(plan.type == .nak ? m.flags | BOOTP.broadcastFlag : m.flags)
        w.address(plan.ciaddr)
        w.address(plan.yiaddr)
        w.address(.any)                             // siaddr
        w.address(m.giaddr)
        let chaddr = m.clientHardwareAddress
        w.copy(chaddr)
        w.zeros(BOOTP.chaddrLength - chaddr.count)
        w.zeros(64 + 128)                           // sname, file
        w.uint32(BOOTP.magicCookie)
    }
}
