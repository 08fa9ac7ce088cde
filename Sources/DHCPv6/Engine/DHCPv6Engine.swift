import ShadowCore

/// The DHCPv6 reply logic: a pure function of the reservation snapshot, the MAC→Option 82 binding
/// table, the configuration, the server identity and one received datagram.
///
/// Only relayed traffic is served: the datagram must be a Relay-forward (any depth up to 32). The
/// reply is a Relay-reply re-wrapping every level, written into the caller's buffer.
public struct DHCPv6Engine: Sendable {
    /// Configuration kept behind one reference so copying the engine costs one retain.
    final class State: Sendable {
        let config: ServerConfig
        let ids: ServerIdentifiers
        let serverID: [UInt8]

        init(config: ServerConfig, ids: ServerIdentifiers) {
            self.config = config
            self.ids = ids
            serverID = ids.v6.bytes
        }
    }

    let state: State

    public var config: ServerConfig { state.config }
    public var ids: ServerIdentifiers { state.ids }
    var serverID: [UInt8] { state.serverID }

    public init(config: ServerConfig, ids: ServerIdentifiers) {
        state = State(config: config, ids: ids)
    }

    /// Handles one datagram received from `source`:`sourcePort`.
    ///
    /// - Parameters:
    ///   - shares: which clients this server answers (docs/high-availability.md, "Who answers"),
    ///     keyed by the Client Identifier's DUID; ``ServiceShares/standalone`` without HA.
    ///   - holdCorrelation: HA before the first peer table pull: a client whose reservation is
    ///     found only through the binding table gets no reply (`AwaitingPeerSync`).
    ///   - reply: where the Relay-reply is written (4096 bytes is plenty for any reply to a
    ///     datagram of ordinary size; a reply that does not fit ends as `EncodeFailed`).
    /// - Returns: the reply length and destination, or why there is none, plus the event record.
    public func handle(datagram: UnsafeRawBufferPointer, source: IPv6Address, sourcePort: UInt16,
                       snapshot: ReservationSnapshot, bindings: BindingTable,
                       shares: ServiceShares = .standalone, holdCorrelation: Bool = false,
                       reply: UnsafeMutableRawBufferPointer) -> DHCPv6Outcome {
        var tx: DHCPv6Transaction
        do {
            tx = DHCPv6Transaction(packet: try DHCPv6Datagram.decodeRelays(datagram), source: source,
                                   sourcePort: sourcePort)
        } catch {
            return DHCPv6Transaction.undecodable(error, source: source, sourcePort: sourcePort)
        }
        do {
            try tx.decodeClient()
        } catch {
            return tx.undecodableClient(error)
        }
        do throws(NoReply) {
            let decision = try decide(tx, snapshot: snapshot, bindings: bindings, shares: shares)
            return answer(tx, decision, snapshot: snapshot, holdCorrelation: holdCorrelation, reply: reply)
        } catch {
            return tx.noReply(error.reason)
        }
    }

    /// The hold: a reservation found only through a learned binding while `holdCorrelation` is set
    /// (`AwaitingPeerSync`; also `explain`'s).
    @inline(__always)
    static func holdsForPeerSync(_ match: ReservationMatch, holdCorrelation: Bool) -> Bool {
        holdCorrelation && match.method == .option82
    }

    /// Writes the Relay-reply for `decision` and wraps the result (reply or `EncodeFailed`) into an outcome.
    ///
    /// The hold (HA, before the first peer table pull): while `holdCorrelation` is set, a
    /// reservation found only through a learned binding (method `option82`, `lease_fallback`) means
    /// silence, `AwaitingPeerSync`, whatever the message type: a peer may hold a newer binding for
    /// that MAC.
    private func answer(_ tx: borrowing DHCPv6Transaction, _ decision: DHCPv6Decision, snapshot: ReservationSnapshot,
                        holdCorrelation: Bool, reply: UnsafeMutableRawBufferPointer) -> DHCPv6Outcome {
        var plan = decision.plan
        let config = state.config
        if let match = decision.match {
            if Self.holdsForPeerSync(match, holdCorrelation: holdCorrelation) { return tx.noReply(.awaitingPeerSync) }
            plan.reservedNA = snapshot.ipv6NA(at: match.index)
            plan.reservedPD = snapshot.ipv6PD(at: match.index)
        }
        let link = config.subnetsV6.isEmpty ? IPv6Address.any : Self.clientLinkAddress(tx.packet)
        if plan.configured, let reservedNA = plan.reservedNA, !config.subnetsV6.isEmpty,
           let mismatch = Self.relayMismatch(link: link, reservedNA: reservedNA, subnets: config.subnetsV6) {
            var outcome = tx.noReply(.relayNotAllowedForSubnet)
            outcome.relayMismatch = mismatch
            outcome.relayMismatch?.reservedPD = plan.reservedPD
            return outcome
        }
        if plan.configured {
            let levels = DHCPOptionLevels(
                top: config.optionsV6,
                subnet: Self.subnet(containing: link, in: config.subnetsV6)?.options ?? .empty,
                reservation: decision.match.map { snapshot.optionsV6(at: $0.index) } ?? .empty)
            plan.options = levels
            if let valid = levels.leaseTime { plan.leases = LeaseTimes(v4Lease: config.leases.v4Lease, v6Valid: valid) }
        }
        var w = WireWriter(reply)
        let state = self.state
        RelayReplyEncoder.write(tx.packet, into: &w) { inner in
            ReplyEncoder.write(plan, for: tx.packet.client, source: tx.buffer, serverID: state.serverID,
                               leases: plan.leases ?? state.config.leases, dns: state.config.dnsV6, into: &inner)
        }
        guard !w.overflowed else { return tx.encodeFailed(match: decision.match, snapshot: snapshot) }
        let destinationPort = tx.packet.outermost.hasRelaySourcePort ? tx.sourcePort : DHCPv6Wire.serverPort
        return tx.replied(.reply(length: w.position, destination: tx.source, port: destinationPort),
                          type: plan.type, match: decision.match, snapshot: snapshot)
    }
}
