import ShadowCore

/// What the reply logic decided when it replies: the plan for the encoder and how the reservation
/// was found (nil without one). Silence is thrown as ``NoReply``.
struct DHCPv6Decision {
    var plan: DHCPv6ReplyPlan
    var match: ReservationMatch?
}

/// Ends processing with no reply (thrown through the gates; no allocation, typed throws).
struct NoReply: Error {
    var reason: DHCPv6NoReplyReason
    init(_ reason: DHCPv6NoReplyReason) { self.reason = reason }
}

extension DHCPv6Engine {
    /// Dispatches on the client message type (docs/dhcpv6.md, "Reply logic").
    ///
    /// After the Client Identifier gate, a client whose DUID is in a peer's share is not answered
    /// (`PeerShare`; an Information-request without a Client Identifier has the empty key).
    func decide(_ tx: borrowing DHCPv6Transaction, snapshot: ReservationSnapshot, bindings: BindingTable,
                shares: ServiceShares) throws(NoReply) -> DHCPv6Decision {
        let m = tx.message
        guard let type = m.type else { throw NoReply(.discarded) }
        switch type {
        case .informationRequest:
            if shares.mode != .activeActive { try checkShare(m, tx.buffer, shares) }
            return try decideInformationRequest(m, tx.buffer)
        case .solicit, .request, .renew, .rebind, .confirm, .release, .decline:
            guard m.clientID != nil else { throw NoReply(.noClientID) }
            if shares.mode != .activeActive { try checkShare(m, tx.buffer, shares) }
        default:
            throw NoReply(.discarded)
        }
        switch type {
        case .solicit: return try decideSolicit(tx, snapshot, bindings)
        case .request: return try decideRequest(tx, snapshot, bindings)
        case .renew, .rebind: return try decideRenewRebind(tx, snapshot, bindings)
        case .confirm: return try decideConfirm(tx, snapshot, bindings)
        default: return try decideReleaseDecline(tx, snapshot, bindings)
        }
    }

    /// `PeerShare` unless this server answers the share of the client's DUID (the empty key
    /// without a Client Identifier). Called only with HA (not active-active).
    private func checkShare(_ m: DHCPv6ClientMessage, _ buffer: UnsafeRawBufferPointer,
                            _ shares: ServiceShares) throws(NoReply) {
        let key = m.clientID.map { UnsafeRawBufferPointer(rebasing: buffer[$0]) } ?? UnsafeRawBufferPointer(start: nil, count: 0)
        guard shares.answers(shareOf: key) else { throw NoReply(.peerShare) }
    }

    /// The lookup, run only when a handler needs it.
    private func lookup(_ tx: borrowing DHCPv6Transaction, _ snapshot: ReservationSnapshot,
                        _ bindings: BindingTable) -> ReservationMatch? {
        tx.lookup(state.config, snapshot: snapshot, bindings: bindings)
    }

    /// DNS only when the ORO asks for it or there is no ORO.
    private func wantsDNS(_ m: DHCPv6ClientMessage) -> Bool { !m.hasOptionRequest || m.requestsDNS }

    /// nil when the Server Identifier is present and ours.
    private func serverIDProblem(_ m: DHCPv6ClientMessage, _ buffer: UnsafeRawBufferPointer) -> DHCPv6NoReplyReason? {
        guard let sid = m.serverID else { return .noServerID }
        return buffer.equals(sid, serverID) ? nil : .wrongServerID
    }

    /// Solicit → Advertise (Preference 255), or Reply with Rapid Commit.
    private func decideSolicit(_ tx: borrowing DHCPv6Transaction, _ snapshot: ReservationSnapshot,
                               _ bindings: BindingTable) throws(NoReply) -> DHCPv6Decision {
        let m = tx.message
        guard m.serverID == nil else { throw NoReply(.unexpectedServerID) }
        guard let match = lookup(tx, snapshot, bindings) else { throw NoReply(.noReservation) }
        let ia = IAPlan(first: .reserved(echoOthers: false), rest: .unavailable)
        let plan = DHCPv6ReplyPlan(type: m.hasRapidCommit ? .reply : .advertise, iaNA: ia, iaPD: ia,
                                   preference: !m.hasRapidCommit, rapidCommit: m.hasRapidCommit, dns: wantsDNS(m), configured: true)
        return DHCPv6Decision(plan: plan, match: match)
    }

    /// Request → Reply; without a reservation every IA gets NoAddrsAvail / NoPrefixAvail.
    private func decideRequest(_ tx: borrowing DHCPv6Transaction, _ snapshot: ReservationSnapshot,
                               _ bindings: BindingTable) throws(NoReply) -> DHCPv6Decision {
        let m = tx.message, buffer = tx.buffer
        if let problem = serverIDProblem(m, buffer) { throw NoReply(problem) }
        let match = lookup(tx, snapshot, bindings)
        let ia = match == nil ? IAPlan(first: .unavailable, rest: .unavailable)
                              : IAPlan(first: .reserved(echoOthers: false), rest: .unavailable)
        return DHCPv6Decision(plan: DHCPv6ReplyPlan(type: .reply, iaNA: ia, iaPD: ia, dns: wantsDNS(m), configured: true), match: match)
    }

    /// Renew and Rebind → Reply; a named address or prefix that is not the reservation's follows the
    /// reserved one with zero lifetimes; without a reservation upstream's NoBinding IAs. A Rebind
    /// carrying a Server Identifier is discarded (RFC 8415 §16.7).
    private func decideRenewRebind(_ tx: borrowing DHCPv6Transaction, _ snapshot: ReservationSnapshot,
                                   _ bindings: BindingTable) throws(NoReply) -> DHCPv6Decision {
        let m = tx.message, buffer = tx.buffer
        if m.type == .rebind {
            guard m.serverID == nil else { throw NoReply(.unexpectedServerID) }
        } else if let problem = serverIDProblem(m, buffer) {
            throw NoReply(problem)
        }
        let match = lookup(tx, snapshot, bindings)
        let ia = match == nil ? IAPlan(first: .noBindingEcho, rest: .noBindingEcho)
                              : IAPlan(first: .reserved(echoOthers: true), rest: .noBindingBare)
        return DHCPv6Decision(plan: DHCPv6ReplyPlan(type: .reply, iaNA: ia, iaPD: ia, dns: wantsDNS(m), configured: true), match: match)
    }

    /// Confirm → Success when every listed IA_NA address is the reservation's, NotOnLink otherwise;
    /// silence without a reservation or without any address (RFC 8415 §18.3.3).
    private func decideConfirm(_ tx: borrowing DHCPv6Transaction, _ snapshot: ReservationSnapshot,
                               _ bindings: BindingTable) throws(NoReply) -> DHCPv6Decision {
        let m = tx.message, buffer = tx.buffer
        guard m.serverID == nil else { throw NoReply(.unexpectedServerID) }
        guard m.listsAnyAddress else { throw NoReply(.discarded) }
        guard let match = lookup(tx, snapshot, bindings) else { throw NoReply(.noReservation) }
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
        return DHCPv6Decision(plan: DHCPv6ReplyPlan(type: .reply, status: onLink ? .success : .notOnLink), match: match)
    }

    /// Release and Decline → Reply with Status Code Success; IAs we hold no reservation for get
    /// NoBinding. A missing or wrong Server Identifier means silence.
    private func decideReleaseDecline(_ tx: borrowing DHCPv6Transaction, _ snapshot: ReservationSnapshot,
                                      _ bindings: BindingTable) throws(NoReply) -> DHCPv6Decision {
        let m = tx.message, buffer = tx.buffer
        if let problem = serverIDProblem(m, buffer) { throw NoReply(problem) }
        let match = lookup(tx, snapshot, bindings)
        let ia = match == nil ? IAPlan(first: .noBindingBare, rest: .noBindingBare)
                              : IAPlan(first: .omitted, rest: .noBindingBare)
        return DHCPv6Decision(plan: DHCPv6ReplyPlan(type: .reply, iaNA: ia, iaPD: ia, status: .success), match: match)
    }

    /// Information-request → Reply for any client; discarded with an IA or a foreign Server Identifier.
    private func decideInformationRequest(_ m: DHCPv6ClientMessage,
                                          _ buffer: UnsafeRawBufferPointer) throws(NoReply) -> DHCPv6Decision {
        guard m.iaNACount + m.iaTACount + m.iaPDCount == 0 else { throw NoReply(.discarded) }
        if let sid = m.serverID, !buffer.equals(sid, serverID) { throw NoReply(.wrongServerID) }
        return DHCPv6Decision(plan: DHCPv6ReplyPlan(type: .reply, dns: wantsDNS(m), configured: true, informationRequest: true),
                              match: nil)
    }
}
