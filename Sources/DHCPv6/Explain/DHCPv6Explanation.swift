import ShadowCore

/// Why a DHCPv6 client gets an answer or not (management `explain`, docs/management.md): the
/// engine's gates that depend on the client rather than on one datagram, in the engine's order,
/// over the lookup walked step by step (``ReservationSnapshot/traceV6(clientID:option1837:option1837Extractors:macInput:macExtractors:learnedOption82:)``).
///
/// The verdict is a Solicit's. Gates that depend only on a datagram's shape (`Discarded`,
/// `UnexpectedServerId`, `NoServerId`, `WrongServerId`, `ParseError`, `NoRelayMsg`,
/// `EncodeFailed`, `SendFailed`) are not a property of a client and are never the verdict here.
public struct DHCPv6Explanation: Sendable, Equatable {
    /// The lookup, step by step.
    public var trace: LookupTrace
    /// A Solicit's fate.
    public var verdict: Verdict

    public enum Verdict: Sendable, Equatable {
        /// An Advertise (or a Reply with Rapid Commit) with the reservation at this position.
        case advertise(reservation: Int)
        /// No reply, with the reason the worker counts (`stats`, the event's `failure_reason`).
        case noReply(DHCPv6NoReplyReason)
    }
}

extension DHCPv6Engine {
    /// The answer to a Solicit with Client Identifier `clientID` (nil: not given — the DUID step
    /// and the `duid` MAC extractor then find nothing, and high-availability shares, keyed by the
    /// DUID, are not decided), relay options `option1837`, option 79's MAC `clientLinkLayer` and
    /// the relay's `peerAddress`, through a relay whose link-address is `linkAddress` (the
    /// link-address of the Relay-forward closest to the client, what the relay consistency gate
    /// compares, ``clientLinkAddress(_:)``; nil: not given, not checked), from `snapshot` with
    /// `config`'s extractors and `subnets_v6`; `learnedOption82` is the binding table; `shares` and
    /// `holdCorrelation` are the master's `shares` message.
    public static func explain(clientID: DUID?, option1837: Option1837?, clientLinkLayer: MACAddress?,
                               peerAddress: IPv6Address?, linkAddress: IPv6Address? = nil,
                               snapshot: ReservationSnapshot, config: ServerConfig,
                               learnedOption82: (MACAddress) -> Option82?, shares: ServiceShares = .standalone,
                               holdCorrelation: Bool = false) -> DHCPv6Explanation {
        let input = MACExtractionInput(clientLinkLayerAddress: clientLinkLayer, peerAddress: peerAddress ?? .any,
                                       clientID: clientID?.bytes)
        let trace = snapshot.traceV6(clientID: clientID, option1837: option1837,
                                     option1837Extractors: config.option1837Extractors, macInput: input,
                                     macExtractors: config.macExtractors, learnedOption82: learnedOption82)
        let verdict: DHCPv6Explanation.Verdict
        if let clientID, shares.mode != .activeActive, !shares.answers(shareOf: clientID.bytes) {
            verdict = .noReply(.peerShare)
        } else if let match = trace.match {
            if Self.holdsForPeerSync(match, holdCorrelation: holdCorrelation) {
                verdict = .noReply(.awaitingPeerSync)
            } else if let linkAddress,
                      Self.relayMismatch(link: linkAddress, reservedNA: snapshot.ipv6NA(at: match.index),
                                         subnets: config.subnetsV6) != nil {
                verdict = .noReply(.relayNotAllowedForSubnet)
            } else {
                verdict = .advertise(reservation: match.index)
            }
        } else {
            verdict = .noReply(.noReservation)
        }
        return DHCPv6Explanation(trace: trace, verdict: verdict)
    }
}
