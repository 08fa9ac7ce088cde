import ShadowCore

/// Why a DHCPv4 client gets an answer or not (management `explain`, docs/management.md): the
/// engine's gates that depend on the client rather than on one datagram, in the engine's order,
/// over the lookup walked step by step (``ReservationSnapshot/traceV4(mac:option82:extractors:)``).
///
/// Gates that depend only on a datagram's shape (`Discarded`, `NoMessageType`, `ParseError`,
/// `WrongServerId`, `EncodeFailed`, `SendFailed`) and `NoValidMac` (a chaddr that is not 6 bytes)
/// are not a property of a client and are never the verdict here.
public struct DHCPv4Explanation: Sendable, Equatable {
    /// The lookup, step by step (walked even when an earlier gate stops the engine, to show it).
    public var trace: LookupTrace
    /// A DISCOVER's fate.
    public var verdict: Verdict
    /// The subnet of the reserved address (its `gateway` and mask go in the reply), when found.
    public var subnet: SubnetV4?

    public enum Verdict: Sendable, Equatable {
        /// An OFFER (and an ACK to the REQUEST that follows) with the reservation at this position.
        case offer(reservation: Int)
        /// No reply, with the reason the worker counts (`stats`, the event's `failure_reason`).
        case noReply(DHCPv4NoReplyReason)
    }
}

extension DHCPv4Engine {
    /// The answer to a DISCOVER with hardware address `mac` and relay agent information `option82`
    /// through a relay at `relay` (its `giaddr`; nil: not given, taken as relayed), from
    /// `snapshot` with `config`'s extractors and subnets, `shares` deciding who answers.
    public static func explain(mac: MACAddress?, option82: Option82?, relay: IPv4Address?,
                               snapshot: ReservationSnapshot, config: ServerConfig,
                               shares: ServiceShares = .standalone) -> DHCPv4Explanation {
        let trace = snapshot.traceV4(mac: mac, option82: option82, extractors: config.option82Extractors)
        var subnet: SubnetV4?
        if let match = trace.match { subnet = Self.subnet(containing: snapshot.ipv4(at: match.index), in: config.subnetsV4) }
        let verdict: DHCPv4Explanation.Verdict
        if relay == .any {
            verdict = .noReply(.notRelayed)
        } else if let mac, Self.leavesToPeer(shares, key: mac.bytes) {
            verdict = .noReply(.peerShare)
        } else if let match = trace.match {
            if let subnet {
                let mismatch = relay.flatMap { Self.relayMismatch($0, subnet: subnet) }
                verdict = mismatch == nil ? .offer(reservation: match.index) : .noReply(.relayNotAllowedForSubnet)
            } else {
                verdict = .noReply(.noServerSubnet)
            }
        } else {
            verdict = .noReply(.noReservation)
        }
        return DHCPv4Explanation(trace: trace, verdict: verdict, subnet: subnet)
    }
}
