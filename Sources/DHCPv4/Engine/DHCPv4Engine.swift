import ShadowCore

/// The DHCPv4 reply logic: a pure function from a datagram (and the current snapshot, binding table
/// and configuration) to reply bytes or a reason for silence.
///
/// Gate order (docs/dhcpv4.md): not relayed → not a BOOTREQUEST → no option 53 → dispatch on the
/// message type → the client's high-availability share. DISCOVER, REQUEST and INFORM then check
/// the MAC, find the reservation and its subnet before anything specific to the message
/// (docs/dhcpv4.md).
public struct DHCPv4Engine: Sendable {
    /// `ids.v4`: option 54 unless the relay asked for an override (RFC 5107).
    public let serverIdentifier: IPv4Address
    let extractors: [Option82Extractor]
    let subnets: [SubnetV4]
    let dns: [IPv4Address]
    let leases: LeaseTimes
    /// The top-level `options_v4`.
    let options: DHCPOptionSet
    /// Whether the top level or any subnet sets an option or a lease time: without, and without a
    /// reservation level, a reply builds no option levels at all.
    let optionsConfigured: Bool
    /// The merged option tables, behind one reference (copying the engine retains one).
    let optionTables: OptionTables

    final class OptionTables: Sendable {
        /// Per subnet, the top level merged with the subnet: what a client whose reservation sets
        /// no options of its own gets (empty tables when nothing is configured).
        let perSubnet: [DHCPOptionTable]
        /// The merged tables of reservations with options of their own, per snapshot.
        let merged = MergedOptionTables()

        init(_ perSubnet: [DHCPOptionTable]) { self.perSubnet = perSubnet }
    }

    public init(config: ServerConfig, ids: ServerIdentifiers) {
        serverIdentifier = ids.v4
        extractors = config.option82Extractors
        subnets = config.subnetsV4
        dns = config.dnsV4
        leases = config.leases
        options = config.optionsV4
        optionsConfigured = !config.optionsV4.isEmpty || config.subnetsV4.contains { !$0.options.isEmpty }
        optionTables = OptionTables(config.subnetsV4.map {
            DHCPOptionTable(DHCPOptionLevels(top: config.optionsV4, subnet: $0.options))
        })
    }

    /// Decides the answer to one datagram and writes any reply into `reply`.
    ///
    /// - Parameters:
    ///   - datagram: the received UDP payload.
    ///   - source: the datagram's UDP source address (reported as the event's `relay_addr`).
    ///   - sourcePort: its UDP source port (the reply's port when the relay sent RFC 8357 sub-option 19).
    ///   - snapshot: the live reservations.
    ///   - bindings: the MAC → Option 82 table, read only to report what a learned binding replaces.
    ///   - shares: which clients this server answers (docs/high-availability.md, "Who answers");
    ///     ``ServiceShares/standalone`` without HA. With more than one server, a client silenced
    ///     because it is in a peer's share, or because its SELECTING REQUEST names another server,
    ///     still yields the binding an ACK would.
    ///   - reply: where the reply is written; 1500 bytes or more. Too small a buffer gives `EncodeFailed`.
    public func handle(datagram: UnsafeRawBufferPointer, source: IPv4Address, sourcePort: UInt16,
                       snapshot: ReservationSnapshot, bindings: BindingTable, shares: ServiceShares = .standalone,
                       reply: UnsafeMutableRawBufferPointer) -> DHCPv4Outcome {
        let message: DHCPv4Message
        do {
            message = try DHCPv4Message(decoding: datagram)
        } catch {
            return DHCPv4Transaction.parseError(error, source: source)
        }
        let tx = DHCPv4Transaction(message: message, source: source, sourcePort: sourcePort)
        do throws(NoReply) {
            return try dispatch(tx, snapshot: snapshot, bindings: bindings, shares: shares, reply: reply)
        } catch {
            return tx.noReply(error.reason, reserved: error.reserved, relayMismatch: error.relayMismatch)
        }
    }

    private func dispatch(_ tx: borrowing DHCPv4Transaction, snapshot: ReservationSnapshot, bindings: BindingTable,
                          shares: ServiceShares, reply: UnsafeMutableRawBufferPointer) throws(NoReply) -> DHCPv4Outcome {
        let m = tx.message
        guard m.giaddr != .any else { throw NoReply(.notRelayed) }
        guard m.op == BOOTP.request else { throw NoReply(.discarded) }
        guard let code = m.messageTypeCode else { throw NoReply(.noMessageType) }
        guard let type = DHCPv4MessageType(rawValue: code) else { throw NoReply(.discarded) }
        // One comparison when standalone (and in active-active, where every server answers everyone).
        if Self.leavesToPeer(shares, key: m.loadBalancingKey) {
            return try peerShare(tx, type, snapshot: snapshot, bindings: bindings, shares: shares)
        }
        switch type {
        case .discover:
            let found = try resolve(tx, snapshot: snapshot)
            let subnet = try subnet(for: found)
            try checkRelay(tx, found, subnet)
            let plan = DHCPv4ReplyPlan(type: .offer, yiaddr: found.reservation.ipv4, subnet: subnet, leaseTimes: true)
            // With HA every message that finds an Option 82 reservation teaches (the peer may be
            // the one that ACKs); standalone only the ACK does, as before.
            let learned = shares.serverCount > 1 ? learnedBinding(tx, found, bindings: bindings) : nil
            return answer(tx, plan, found, snapshot: snapshot, learned: learned, reply: reply)
        case .request:
            return try request(tx, snapshot: snapshot, bindings: bindings, learnsSilently: shares.serverCount > 1,
                               reply: reply)
        case .inform:
            return try inform(tx, snapshot: snapshot, bindings: bindings, learns: shares.serverCount > 1, reply: reply)
        case .decline, .release:
            let found = try resolve(tx, snapshot: snapshot)
            return tx.recorded(type, found, clientAddress: type == .decline ? m.requestedAddress : m.ciaddr)
        case .offer, .ack, .nak:
            throw NoReply(.discarded)
        }
    }

    /// Silence for a client in a peer's share (`PeerShare`; server-side types stay `Discarded`).
    /// With HA (more than one server), a DISCOVER, REQUEST or INFORM that finds a reservation with
    /// an Option 82 still yields the binding chaddr → that Option 82, as an ACK would: the peer
    /// answers, this server learns.
    func peerShare(_ tx: borrowing DHCPv4Transaction, _ type: DHCPv4MessageType, snapshot: ReservationSnapshot,
                   bindings: BindingTable, shares: ServiceShares) throws(NoReply) -> DHCPv4Outcome {
        switch type {
        case .offer, .ack, .nak: throw NoReply(.discarded)
        case .decline, .release: throw NoReply(.peerShare)
        case .discover, .request, .inform: break
        }
        guard shares.serverCount > 1, let found = try? resolve(tx, snapshot: snapshot) else { throw NoReply(.peerShare) }
        return tx.noReply(.peerShare, reserved: found.reservation.ipv4, learned: learnedBinding(tx, found, bindings: bindings))
    }

    /// The high-availability gate: whether the client with `key` is in a share another server
    /// answers (one comparison when standalone and in active-active). `key` is evaluated only
    /// when the mode needs it: on the packet path it scans the options for a client identifier.
    @inline(__always)
    static func leavesToPeer<Key: Collection<UInt8>>(_ shares: ServiceShares, key: @autoclosure () -> Key) -> Bool
        where Key.Index == Int {
        shares.mode != .activeActive && !shares.answers(shareOf: key())
    }

    /// chaddr → the reservation's Option 82, when the reservation has one (what an ACK teaches).
    func learnedBinding(_ tx: borrowing DHCPv4Transaction, _ found: Found,
                        bindings: BindingTable) -> DHCPv4LearnedBinding? {
        guard let o82 = found.reservation.option82, let mac = tx.mac else { return nil }
        return DHCPv4LearnedBinding(mac: mac, option82: o82, previous: bindings.option82(for: mac))
    }

    /// The reservation for the client: chaddr (which must be a 6-byte MAC), then Option 82 extractors.
    func resolve(_ tx: borrowing DHCPv4Transaction, snapshot: ReservationSnapshot) throws(NoReply) -> Found {
        guard let mac = tx.mac else { throw NoReply(.noValidMac) }
        guard let match = snapshot.lookupV4(mac: mac, option82: tx.wireOption82, extractors: extractors) else {
            throw NoReply(.noReservation)
        }
        // Only the reported fields; the Option 82 strings are made only for reservations that have one.
        let i = match.index
        return Found(reservation: DHCPv4Event.Reserved(ipv4: snapshot.ipv4(at: i), mac: snapshot.mac(at: i),
                                                       option82: snapshot.option82(at: i)),
                     match: match)
    }

    /// The position in `subnets` of the first subnet containing the reservation's address (an index:
    /// a `SubnetV4` holds arrays, and copying one per packet costs reference counting).
    func subnet(for found: Found) throws(NoReply) -> Int {
        let address = found.reservation.ipv4
        var i = 0
        while i < subnets.count {
            if subnets[i].net.contains(address) { return i }
            i += 1
        }
        throw NoReply(.noServerSubnet, reserved: address)
    }

    /// The first of `subnets` containing `address` (the `NoServerSubnet` gate; also `explain`'s).
    @inline(__always)
    static func subnet(containing address: IPv4Address, in subnets: [SubnetV4]) -> SubnetV4? {
        for s in subnets where s.net.contains(address) { return s }
        return nil
    }

    /// Options 51, 58 and 59 for the most specific `v4_lease_time` (`lease`; nil: the top level's),
    /// T1 and T2 derived from it as from the top-level one.
    @inline(__always)
    func leaseTimes(_ lease: UInt32?) -> LeaseTimes {
        guard let lease else { return leases }
        return LeaseTimes(v4Lease: lease)
    }

    /// Option 54 for replies to `m`: the relay's override (RFC 5107 sub-option 11) or `ids.v4`.
    func replyServerIdentifier(_ m: DHCPv4Message) -> IPv4Address {
        m.relayAgentInformation?.serverIdentifierOverride ?? serverIdentifier
    }

    /// Where replies to `m` go: `giaddr` on port 67, or on the datagram's source port when the relay
    /// sent RFC 8357 sub-option 19.
    func destinationPort(_ m: DHCPv4Message, sourcePort: UInt16) -> UInt16 {
        m.relayAgentInformation?.hasRelaySourcePort == true ? sourcePort : BOOTP.serverPort
    }
}

/// A reservation and how it was found.
struct Found {
    var reservation: DHCPv4Event.Reserved
    var match: ReservationMatch
}

/// Ends processing with no reply (thrown through the gates; no allocation, typed throws).
struct NoReply: Error {
    var reason: DHCPv4NoReplyReason
    /// The reserved address, when a reservation was found before the gate that stopped (for logs).
    var reserved: IPv4Address?
    /// For `RelayNotAllowedForSubnet`: the relay and the subnet (for the log line).
    var relayMismatch: DHCPv4RelayMismatch?
    init(_ reason: DHCPv4NoReplyReason, reserved: IPv4Address? = nil, relayMismatch: DHCPv4RelayMismatch? = nil) {
        self.reason = reason
        self.reserved = reserved
        self.relayMismatch = relayMismatch
    }
}
