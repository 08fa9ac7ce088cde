import ShadowCore

extension DHCPv4Engine {
    /// Writes the reply for `plan` to `request` into `buffer`; nil when it does not fit. Also
    /// returns how many configured options were left out for size.
    ///
    /// Header as RFC 2131 Table 3 (hops 0, secs 0, flags copied with the broadcast bit forced on for
    /// a NAK, giaddr and chaddr copied). Options (docs/dhcpv4.md, "Options"): 53, 54, 51, 58, 59,
    /// 1, 3, 6, then the configured options the client asks for in option 55 (in its order) and the
    /// `always_send` ones, then 82 echoed unchanged, End; padded with zeros to 300 bytes. The
    /// configured options are left out, last first, where they would not fit the client's maximum
    /// message size (``ConfiguredOptionsV4/sizeLimit(for:bufferCount:)``). An RFC 8925 reply
    /// carries 53, 54, 108 and 82 only.
    func encode(_ plan: DHCPv4ReplyPlan, options levels: DHCPOptionTable?, request: DHCPv4Message,
                                     into buffer: UnsafeMutableRawBufferPointer) -> (length: Int, omitted: Int)? {
        var w = DHCPv4ReplyWriter(buffer)
        writeHeader(plan, request: request, to: &w)
        w.option(DHCPv4Option.messageType, byte: plan.type.rawValue)
        w.option(DHCPv4Option.serverIdentifier, uint32: replyServerIdentifier(request).value)
        var omitted = 0
        if plan.v6OnlyPreferred, let levels, let v6Only = levels.handle(of: UInt16(DHCPv4Option.v6OnlyPreferred)) {
            levels.withValue(v6Only) { w.option(DHCPv4Option.v6OnlyPreferred, long: $0) }
        } else {
            if plan.leaseTimes {
                let leases = leaseTimes(levels?.leaseTime)
                w.option(DHCPv4Option.leaseTime, uint32: leases.v4Lease)
                w.option(DHCPv4Option.renewalTime, uint32: leases.v4T1)
                w.option(DHCPv4Option.rebindingTime, uint32: leases.v4T2)
            }
            if let subnet = plan.subnet {
                w.option(DHCPv4Option.subnetMask, uint32: subnets[subnet].replyMask.value)
                writeRouterAndDNS(gateway: subnets[subnet].gateway, levels, to: &w)
            }
            if let levels, !levels.hasNoEntries {
                let tail = (request.relayAgentInformation.map { 2 + $0.payload.count } ?? 0) + 1
                let limit = ConfiguredOptionsV4.sizeLimit(for: request, bufferCount: buffer.count)
                omitted = ConfiguredOptionsV4.write(levels, requested: request.parameterRequestList,
                                                    budget: limit - w.position - tail, into: &w)
            }
        }
        if let relay = request.relayAgentInformation {
            w.option(DHCPv4Option.relayAgentInformation, payload: relay.payload)
        }
        guard let length = w.finish(minimumLength: BOOTP.minimumMessageLength) else { return nil }
        return (length, omitted)
    }

    /// Options 3 and 6: the configured `routers` / `dns_servers` of the most specific level that
    /// sets them, else the subnet's gateway and the top-level `dns_v4`. Always sent (RFC 3442:
    /// option 3 goes with option 121 too; the client picks).
    @inline(__always)
    private func writeRouterAndDNS(gateway: IPv4Address, _ levels: DHCPOptionTable?, to w: inout DHCPv4ReplyWriter) {
        if let levels, !levels.hasNoEntries {
            if let routers = levels.handle(of: UInt16(DHCPv4Option.router)) {
                levels.withValue(routers) { w.option(DHCPv4Option.router, long: $0, chunk: 252) }
            } else {
                w.option(DHCPv4Option.router, uint32: gateway.value)
            }
            if let servers = levels.handle(of: UInt16(DHCPv4Option.domainNameServer)) {
                levels.withValue(servers) { w.option(DHCPv4Option.domainNameServer, long: $0, chunk: 252) }
            } else {
                w.option(DHCPv4Option.domainNameServer, addresses: dns)
            }
            return
        }
        w.option(DHCPv4Option.router, uint32: gateway.value)
        w.option(DHCPv4Option.domainNameServer, addresses: dns)
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
