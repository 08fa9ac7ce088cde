import ShadowCore

/// The outcome of the reply logic before encoding.
struct DHCPv6Decision {
    var plan: DHCPv6ReplyPlan?
    var reason: DHCPv6NoReplyReason?
    var match: ReservationMatch?

    static func drop(_ reason: DHCPv6NoReplyReason, match: ReservationMatch? = nil) -> DHCPv6Decision {
        DHCPv6Decision(plan: nil, reason: reason, match: match)
    }

    static func reply(_ plan: DHCPv6ReplyPlan, match: ReservationMatch?) -> DHCPv6Decision {
        DHCPv6Decision(plan: plan, reason: nil, match: match)
    }
}

extension DHCPv6Engine {
    /// Dispatches on the client message type (behavior.md §5.2–§5.6 with decisions.md on top).
    func decide(_ packet: DHCPv6Datagram, event: DHCPv6Event, clientLinkLayer: MACAddress?,
                snapshot: ReservationSnapshot, bindings: BindingTable) -> DHCPv6Decision {
        let m = packet.client
        guard let type = m.type else { return .drop(.discarded) }
        let find = DHCPv6Lookup(engine: self, peerAddress: packet.innermost.peerAddress, clientID: event.clientIDBytes,
                                interfaceID: event.relayInterfaceID, remoteID: event.relayRemoteID,
                                clientLinkLayer: clientLinkLayer, snapshot: snapshot, bindings: bindings)
        switch type {
        case .informationRequest:
            return decideInformationRequest(m, packet.buffer)
        case .solicit, .request, .renew, .rebind, .confirm, .release, .decline:
            guard m.clientID != nil else { return .drop(.noClientID) }
        default:
            return .drop(.discarded)
        }
        switch type {
        case .solicit: return decideSolicit(m, find)
        case .request: return decideRequest(m, packet.buffer, find)
        case .renew, .rebind: return decideRenewRebind(m, packet.buffer, find)
        case .confirm: return decideConfirm(m, packet.buffer, snapshot, find)
        default: return decideReleaseDecline(m, packet.buffer, find)
        }
    }

    /// DNS only when the ORO asks for it or there is no ORO.
    private func wantsDNS(_ m: DHCPv6ClientMessage) -> Bool { !m.hasOptionRequest || m.requestsDNS }

    /// nil when the Server Identifier is present and ours.
    private func serverIDProblem(_ m: DHCPv6ClientMessage, _ buffer: UnsafeRawBufferPointer) -> DHCPv6NoReplyReason? {
        guard let sid = m.serverID else { return .noServerID }
        return buffer.equals(sid, serverID) ? nil : .wrongServerID
    }

    /// Solicit → Advertise (Preference 255), or Reply with Rapid Commit.
    private func decideSolicit(_ m: DHCPv6ClientMessage, _ find: DHCPv6Lookup) -> DHCPv6Decision {
        guard m.serverID == nil else { return .drop(.unexpectedServerID) }
        guard let match = find() else { return .drop(.noReservation) }
        let ia = IAPlan(first: .reserved(echoOthers: false), rest: .unavailable)
        let plan = DHCPv6ReplyPlan(type: m.hasRapidCommit ? .reply : .advertise, iaNA: ia, iaPD: ia,
                                   preference: !m.hasRapidCommit, rapidCommit: m.hasRapidCommit, dns: wantsDNS(m))
        return .reply(plan, match: match)
    }

    /// Request → Reply; without a reservation every IA gets NoAddrsAvail / NoPrefixAvail.
    private func decideRequest(_ m: DHCPv6ClientMessage, _ buffer: UnsafeRawBufferPointer,
                               _ find: DHCPv6Lookup) -> DHCPv6Decision {
        if let problem = serverIDProblem(m, buffer) { return .drop(problem) }
        let match = find()
        let ia = match == nil ? IAPlan(first: .unavailable, rest: .unavailable)
                              : IAPlan(first: .reserved(echoOthers: false), rest: .unavailable)
        return .reply(DHCPv6ReplyPlan(type: .reply, iaNA: ia, iaPD: ia, dns: wantsDNS(m)), match: match)
    }

    /// Renew and Rebind → Reply; a named address or prefix that is not the reservation's follows the
    /// reserved one with zero lifetimes; without a reservation upstream's NoBinding IAs. A Rebind
    /// carrying a Server Identifier is discarded (RFC 8415 §16.7).
    private func decideRenewRebind(_ m: DHCPv6ClientMessage, _ buffer: UnsafeRawBufferPointer,
                                   _ find: DHCPv6Lookup) -> DHCPv6Decision {
        if m.type == .rebind {
            guard m.serverID == nil else { return .drop(.unexpectedServerID) }
        } else if let problem = serverIDProblem(m, buffer) {
            return .drop(problem)
        }
        let match = find()
        let ia = match == nil ? IAPlan(first: .noBindingEcho, rest: .noBindingEcho)
                              : IAPlan(first: .reserved(echoOthers: true), rest: .noBindingBare)
        return .reply(DHCPv6ReplyPlan(type: .reply, iaNA: ia, iaPD: ia, dns: wantsDNS(m)), match: match)
    }

    /// Confirm → Success when every listed IA_NA address is the reservation's, NotOnLink otherwise;
    /// silence without a reservation or without any address (RFC 8415 §18.3.3).
    private func decideConfirm(_ m: DHCPv6ClientMessage, _ buffer: UnsafeRawBufferPointer,
                               _ snapshot: ReservationSnapshot, _ find: DHCPv6Lookup) -> DHCPv6Decision {
        guard m.serverID == nil else { return .drop(.unexpectedServerID) }
        guard m.listsAnyAddress else { return .drop(.discarded) }
        guard let match = find() else { return .drop(.noReservation) }
        let reserved = snapshot.ipv6NA(at: match.index)
        var onLink = true
        let options = DHCPv6OptionWalker(buffer: buffer, range: m.options, messageOffset: m.offset)
        options.forEachValidated(code: DHCPv6OptionCode.iaNA) { ia in
            let inner = (ia.payload.lowerBound + DHCPv6Wire.iaHeaderLength)..<ia.payload.upperBound
            DHCPv6OptionWalker(buffer: buffer, range: inner, messageOffset: m.offset)
                .forEachValidated(code: DHCPv6OptionCode.iaAddress) { address in
                    if buffer.ipv6(address.payload.lowerBound) != reserved { onLink = false }
                }
        }
        return .reply(DHCPv6ReplyPlan(type: .reply, status: onLink ? .success : .notOnLink), match: match)
    }

    /// Release and Decline → Reply with Status Code Success; IAs we hold no reservation for get
    /// NoBinding. A missing or wrong Server Identifier means silence.
    private func decideReleaseDecline(_ m: DHCPv6ClientMessage, _ buffer: UnsafeRawBufferPointer,
                                      _ find: DHCPv6Lookup) -> DHCPv6Decision {
        if let problem = serverIDProblem(m, buffer) { return .drop(problem) }
        let match = find()
        let ia = match == nil ? IAPlan(first: .noBindingBare, rest: .noBindingBare)
                              : IAPlan(first: .omitted, rest: .noBindingBare)
        return .reply(DHCPv6ReplyPlan(type: .reply, iaNA: ia, iaPD: ia, status: .success), match: match)
    }

    /// Information-request → Reply for any client; discarded with an IA or a foreign Server Identifier.
    private func decideInformationRequest(_ m: DHCPv6ClientMessage,
                                          _ buffer: UnsafeRawBufferPointer) -> DHCPv6Decision {
        guard m.iaNACount + m.iaTACount + m.iaPDCount == 0 else { return .drop(.discarded) }
        if let sid = m.serverID, !buffer.equals(sid, serverID) { return .drop(.wrongServerID) }
        return .reply(DHCPv6ReplyPlan(type: .reply, dns: wantsDNS(m)), match: nil)
    }
}
