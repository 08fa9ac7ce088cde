import ShadowCore

/// What a bulk leasequery (RFC 5460) selects clients by, read from a LEASEQUERY.
public enum LeasequeryBulkSelector: Sendable, Hashable {
    /// QUERY_BY_RELAY_ID: some level of the client's last Relay-forward carried this Relay-ID (53).
    case relayID([UInt8])
    /// QUERY_BY_LINK_ADDRESS: the innermost level's link-address.
    case linkAddress(IPv6Address)
    /// QUERY_BY_REMOTE_ID: some level carried this Remote-ID (37) payload (enterprise number and id).
    case remoteID([UInt8])

    /// Whether the stored Relay-forward `chain` (``LeasequeryRelayChain``) matches. Allocates nothing.
    public func matches(_ chain: UnsafeRawBufferPointer) -> Bool {
        var range = 0..<chain.count
        var link: IPv6Address?
        var found = false
        for _ in 0..<DHCPv6Wire.maximumRelayDepth {
            guard let level = try? DHCPv6RelayLevel.decode(chain, range: range) else { break }
            link = level.linkAddress
            switch self {
            case .relayID(let id), .remoteID(let id):
                let code = if case .relayID = self { LeasequeryOptionCode.relayID } else { DHCPv6OptionCode.remoteID }
                DHCPv6OptionWalker(buffer: chain, range: (level.offset + DHCPv6Wire.relayHeaderLength)..<level.end,
                                   messageOffset: level.offset).forEachValidated(code: code) { o in
                    if chain.equals(o.payload, id) { found = true }
                }
                if found { return true }
            case .linkAddress:
                break
            }
            guard let inner = level.relayMessage else { break }
            range = inner
        }
        if case .linkAddress(let want) = self { return link == want }
        return false
    }
}

/// Where a bulk leasequery finds the clients behind a relay.
public protocol LeasequeryBulkSource: LeasequeryDataSource {
    /// The bindings of every client served within its lease time whose last Relay-forward
    /// `selector` matches, in ascending address order.
    func activeBindings(_ selector: LeasequeryBulkSelector) -> [LeasequeryBinding]
}

/// Answers the LEASEQUERY messages of one bulk leasequery connection (RFC 5460 over TCP; the
/// caller frames each message with its 2-byte length).
public enum LeasequeryBulkResponder {
    /// What the connection does after a query.
    public enum Disposition: Sendable, Hashable {
        /// The answer was emitted; read the next query.
        case keepOpen
        /// Close the connection (after sending what was emitted): the frame was not a decodable
        /// LEASEQUERY, or the querier is not allowed.
        case close
    }

    /// Answers `message` (one frame without its length) from `querier`, emitting each reply
    /// message's bytes in order through `emit` (valid only during the call):
    ///
    /// - a frame that is not a LEASEQUERY or whose options overrun: nothing, close;
    /// - a querier not `allowed`: LEASEQUERY-REPLY NotAllowed (10), close;
    /// - MalformedQuery (8) / UnknownQueryType (7) / NotConfigured (9) / no data: one LEASEQUERY-REPLY;
    /// - bindings: LEASEQUERY-REPLY with the first, LEASEQUERY-DATA (17) with each further one in
    ///   ascending address order, then LEASEQUERY-DONE (16).
    ///
    /// `buffer` is the scratch space each message is written into (a message that does not fit is
    /// skipped and counted in the outcome's `problem`).
    public static func answer(_ message: UnsafeRawBufferPointer, querier: IPv6Address, port: UInt16, allowed: Bool,
                              serverID: [UInt8], data: some LeasequeryBulkSource,
                              buffer: UnsafeMutableRawBufferPointer,
                              emit: (UnsafeRawBufferPointer) -> Void) -> (LeasequeryOutcome, Disposition) {
        var o = LeasequeryOutcome(result: .discarded, querier: querier, querierPort: port, transport: .tcp)
        let range = 0..<message.count
        let decoded = LeasequeryQuery.decode(message, range: range)
        switch decoded.problem {
        case .notLeasequery?, .undecodable?:
            o.problem = decoded.problem?.description
            return (o, .close)
        default:
            break
        }
        o.transactionID = decoded.transactionID
        o.rawQueryType = decoded.query?.rawQueryType
        if case .unknownQueryType(let t)? = decoded.problem { o.rawQueryType = t }
        o.queriedAddress = decoded.query?.address
        o.queriedClientID = decoded.query?.clientID.map { message.inlineBytes($0) }
        let ids = LeasequeryQuery.identifiers(message, range: range)
        let requestor = ids.requestorID.map { UnsafeRawBufferPointer(rebasing: message[$0]) }
        let xid = decoded.transactionID
        var skipped = 0
        func send(_ length: Int?) {
            guard let length else { skipped += 1; return }
            emit(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        }
        func reply(_ status: LeasequeryStatus?, _ binding: LeasequeryBinding?) {
            send(LeasequeryReplyEncoder.reply(transactionID: xid, requestorID: requestor, serverID: serverID,
                                              status: status, binding: binding, into: buffer))
        }
        if let sid = ids.serverID, !message.equals(sid, serverID) {
            o.problem = "Server Identifier is not ours"
            return (o, .keepOpen)
        }
        guard allowed else {
            o.result = .notAllowed
            reply(.notAllowed, nil)
            return (o, .close)
        }
        guard let q = decoded.query else {
            o.problem = decoded.problem?.description
            if case .unknownQueryType? = decoded.problem { o.result = .unknownQueryType } else { o.result = .malformedQuery }
            reply(o.result.status, nil)
            return (o, .keepOpen)
        }
        let bindings: [LeasequeryBinding]
        switch q.queryType {
        case .byAddress?, .byClientID?:
            let (result, binding) = LeasequeryResponder.answer(q, in: message, data: data)
            o.result = result
            bindings = binding.map { [$0] } ?? []
            if bindings.isEmpty { reply(result.status, nil) }
        case .byRelayID?:
            bindings = data.activeBindings(.relayID(message.bytes(q.relayID ?? 0..<0)))
        case .byRemoteID?:
            bindings = data.activeBindings(.remoteID(message.bytes(q.remoteID ?? 0..<0)))
        case .byLinkAddress?:
            bindings = data.activeBindings(.linkAddress(q.linkAddress))
        case nil:
            bindings = []
        }
        o.bindings = bindings.count
        o.answeredAddress = bindings.first?.address
        guard let first = bindings.first else {
            if q.queryType?.isBulkOnly == true {
                o.result = .noData
                reply(nil, nil)
            }
            return (o, .keepOpen)
        }
        o.result = .data
        reply(nil, first)
        for b in bindings.dropFirst() {
            send(LeasequeryReplyEncoder.data(transactionID: xid, binding: b, into: buffer))
        }
        send(LeasequeryReplyEncoder.done(transactionID: xid, status: nil, into: buffer))
        if skipped > 0 { o.problem = "\(skipped) messages did not fit the buffer" }
        return (o, .keepOpen)
    }
}
