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
        /// Whether the top level or any `subnets_v6` entry sets an option or a lease time: without,
        /// and without a reservation level, a reply builds no option levels at all.
        let optionsConfigured: Bool
        /// Whether any `subnets_v6` entry lists `relays`: without, the relay consistency gate has
        /// nothing to check and is skipped.
        let relaysConfigured: Bool
        /// Per `subnets_v6` entry, the top level merged with the entry; last, the top level alone
        /// (a client whose link is in no entry): what a client whose reservation sets no options of
        /// its own gets.
        let tables: [DHCPOptionTable]
        /// The merged tables of reservations with options of their own, per snapshot.
        let merged = MergedOptionTables()

        init(config: ServerConfig, ids: ServerIdentifiers) {
            self.config = config
            self.ids = ids
            serverID = ids.v6.bytes
            optionsConfigured = !config.optionsV6.isEmpty || config.subnetsV6.contains { !$0.options.isEmpty }
            relaysConfigured = config.subnetsV6.contains { !$0.relays.isEmpty }
            tables = config.subnetsV6.map { DHCPOptionTable(DHCPOptionLevels(top: config.optionsV6, subnet: $0.options)) }
                + [DHCPOptionTable(config.optionsV6)]
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
        let state = self.state
        if let match = decision.match {
            if Self.holdsForPeerSync(match, holdCorrelation: holdCorrelation) { return tx.noReply(.awaitingPeerSync) }
            plan.reservedNA = snapshot.ipv6NA(at: match.index)
            plan.reservedPD = snapshot.ipv6PD(at: match.index)
        }
        let hasSubnets = !state.config.subnetsV6.isEmpty
        let link = hasSubnets ? Self.clientLinkAddress(tx.packet) : IPv6Address.any
        if state.relaysConfigured, plan.configured, let reservedNA = plan.reservedNA,
           let mismatch = Self.relayMismatch(link: link, reservedNA: reservedNA, subnets: state.config.subnetsV6) {
            var outcome = tx.noReply(.relayNotAllowedForSubnet)
            outcome.relayMismatch = mismatch
            outcome.relayMismatch?.reservedPD = plan.reservedPD
            return outcome
        }
        // The options: the client's subnet's table merged at start when the reservation sets none of
        // its own (the usual case), else the three levels merged for this reply.
        var options: DHCPOptionTable?
        if plan.configured {
            let subnet = hasSubnets ? Self.subnetIndex(containing: link, in: state.config.subnetsV6) : nil
            let own = decision.match.map { snapshot.optionsV6(at: $0.index) } ?? .empty
            if !own.isEmpty, let index = decision.match?.index {
                options = state.merged.table(snapshot: snapshot, subnet: subnet ?? -1,
                                             set: snapshot.optionSetIndexes(at: index).v6) {
                    DHCPOptionTable(DHCPOptionLevels(
                        top: state.config.optionsV6, subnet: subnet.map { state.config.subnetsV6[$0].options } ?? .empty,
                        reservation: own))
                }
            } else if state.optionsConfigured {
                options = state.tables[subnet ?? state.tables.count - 1]
            }
        }
        let match = decision.match
        var leases = state.config.leases
        if let valid = options?.leaseTime { leases = LeaseTimes(v4Lease: leases.v4Lease, v6Valid: valid) }
        var w = WireWriter(reply)
        RelayReplyEncoder.write(tx.packet, into: &w) { inner in
            ReplyEncoder.write(plan, for: tx.packet.client, source: tx.buffer, serverID: state.serverID,
                               leases: leases, dns: state.config.dnsV6, options: options, into: &inner)
        }
        guard !w.overflowed else { return tx.encodeFailed(match: match, snapshot: snapshot) }
        let destinationPort = tx.packet.outermost.hasRelaySourcePort ? tx.sourcePort : DHCPv6Wire.serverPort
        return tx.replied(.reply(length: w.position, destination: tx.source, port: destinationPort),
                          type: plan.type, match: match, snapshot: snapshot)
    }
}
