import ShadowCore

extension DHCPv4Engine {
    /// The REQUEST variants of RFC 2131 §4.3.2, told apart by (option 54, ciaddr, option 50).
    enum RequestVariant: Equatable {
        case selecting(serverIdentifier: IPv4Address, requested: IPv4Address)
        case initReboot(requested: IPv4Address)
        /// RENEWING or REBINDING; only REBINDING reaches us (the relay gate drops unicast RENEWs).
        case renewingOrRebinding(ciaddr: IPv4Address)

        init?(_ m: DHCPv4Message) {
            let ciaddr = m.ciaddr
            switch (m.serverIdentifier, ciaddr == .any, m.requestedAddress) {
            case let (sid?, true, requested?): self = .selecting(serverIdentifier: sid, requested: requested)
            case let (nil, true, requested?): self = .initReboot(requested: requested)
            case (nil, false, nil): self = .renewingOrRebinding(ciaddr: ciaddr)
            default: return nil
            }
        }
    }

    /// REQUEST → ACK when the compared address is the reservation's, NAK otherwise (docs/dhcpv4.md).
    /// With `learnsSilently` (HA), a SELECTING REQUEST that names another server, and a NAK, still
    /// yield the binding an ACK would.
    func request(_ tx: borrowing DHCPv4Transaction, snapshot: ReservationSnapshot, bindings: BindingTable,
                 learnsSilently: Bool, reply: UnsafeMutableRawBufferPointer) throws(NoReply) -> DHCPv4Outcome {
        let m = tx.message
        let found = try resolve(tx, snapshot: snapshot)
        let subnet = try subnet(for: found)
        try checkRelay(tx, found, subnet)
        guard let variant = RequestVariant(m) else {
            throw NoReply(.discarded, reserved: found.reservation.ipv4)
        }
        let compared: IPv4Address
        var echoedCiaddr = IPv4Address.any
        switch variant {
        case let .selecting(sid, requested):
            let override = m.relayAgentInformation?.serverIdentifierOverride
            guard sid == serverIdentifier || sid == override else {
                guard learnsSilently else { throw NoReply(.wrongServerId, reserved: found.reservation.ipv4) }
                return tx.noReply(.wrongServerId, reserved: found.reservation.ipv4,
                                  learned: learnedBinding(tx, found, bindings: bindings))
            }
            compared = requested
        case let .initReboot(requested):
            compared = requested
        case let .renewingOrRebinding(ciaddr):
            compared = ciaddr
            echoedCiaddr = ciaddr
        }
        guard compared == found.reservation.ipv4 else {
            let plan = DHCPv4ReplyPlan(type: .nak, subnet: nil, leaseTimes: false)
            return answer(tx, plan, found, snapshot: snapshot, clientAddress: compared,
                          learned: learnsSilently ? learnedBinding(tx, found, bindings: bindings) : nil, reply: reply)
        }
        let plan = DHCPv4ReplyPlan(type: .ack, yiaddr: compared, ciaddr: echoedCiaddr, subnet: subnet, leaseTimes: true)
        return answer(tx, plan, found, snapshot: snapshot, clientAddress: compared, learned: learnedBinding(tx, found, bindings: bindings),
                      reply: reply)
    }

    /// INFORM → ACK for a reserved client whose `ciaddr` is its reserved address; silence otherwise
    /// (docs/dhcpv4.md). No lease options; `ciaddr` echoed, `yiaddr` 0. With `learns` (HA) the ACK
    /// also teaches the binding.
    func inform(_ tx: borrowing DHCPv4Transaction, snapshot: ReservationSnapshot, bindings: BindingTable,
                learns: Bool, reply: UnsafeMutableRawBufferPointer) throws(NoReply) -> DHCPv4Outcome {
        let found = try resolve(tx, snapshot: snapshot)
        let subnet = try subnet(for: found)
        try checkRelay(tx, found, subnet)
        let ciaddr = tx.message.ciaddr
        guard ciaddr == found.reservation.ipv4 else {
            throw NoReply(.discarded, reserved: found.reservation.ipv4)
        }
        let plan = DHCPv4ReplyPlan(type: .ack, ciaddr: ciaddr, subnet: subnet, leaseTimes: false)
        return answer(tx, plan, found, snapshot: snapshot, clientAddress: ciaddr,
                      learned: learns ? learnedBinding(tx, found, bindings: bindings) : nil, reply: reply)
    }

    /// Encodes `plan` and wraps the result (reply or `EncodeFailed`) into an outcome.
    func answer(_ tx: borrowing DHCPv4Transaction, _ plan: DHCPv4ReplyPlan, _ found: Found, snapshot: ReservationSnapshot,
                clientAddress: IPv4Address? = nil, learned: DHCPv4LearnedBinding? = nil,
                reply: UnsafeMutableRawBufferPointer) -> DHCPv4Outcome {
        // The options: the subnet's table merged at start when the reservation sets none of its own
        // (the usual case), else the three levels merged for this reply; none for a NAK.
        let m = tx.message
        var plan = plan
        var options: DHCPOptionTable?
        if let subnet = plan.subnet {
            let own = snapshot.optionsV4(at: found.match.index)
            if !own.isEmpty {
                let set = snapshot.optionSetIndexes(at: found.match.index).v4
                options = optionTables.merged.table(snapshot: snapshot, subnet: subnet, set: set) {
                    DHCPOptionTable(DHCPOptionLevels(top: self.options, subnet: subnets[subnet].options, reservation: own))
                }
            } else if optionsConfigured {
                options = optionTables.perSubnet[subnet]
            }
        }
        if plan.leaseTimes, let options, !options.hasNoEntries, Self.v6OnlyPreferred(options, request: m) {
            plan.v6OnlyPreferred = true
            plan.yiaddr = .any
        }
        guard let encoded = encode(plan, options: options, request: m, into: reply) else {
            return tx.encodeFailed(found, clientAddress: clientAddress)
        }
        let action = DHCPv4Outcome.Action.reply(
            length: encoded.length, destination: m.giaddr, port: destinationPort(m, sourcePort: tx.sourcePort))
        var outcome = tx.replied(action, type: plan.type, yiaddr: plan.yiaddr, found: found,
                                 clientAddress: clientAddress, learned: learned)
        outcome.optionsOmittedForSize = encoded.omitted
        outcome.v6OnlyPreferred = plan.v6OnlyPreferred
        return outcome
    }
}
