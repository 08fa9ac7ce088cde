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

/// The answer to one bulk LEASEQUERY, encoded one message at a time (so a connection can take
/// the messages as fast as it drains, never holding them all): message 0 is the
/// LEASEQUERY-REPLY, then one LEASEQUERY-DATA per further binding, then LEASEQUERY-DONE when the
/// reply carried a binding.
public struct LeasequeryBulkAnswer: Sendable {
    public var outcome: LeasequeryOutcome
    public var disposition: LeasequeryBulkResponder.Disposition
    let transactionID: UInt32
    let requestorID: [UInt8]?
    let serverID: [UInt8]
    let status: LeasequeryStatus?
    let bindings: [LeasequeryBinding]
    /// Whether there is a reply at all (nothing for a frame that is not a LEASEQUERY or names another server).
    let replies: Bool

    /// Messages to send.
    public var messageCount: Int { !replies ? 0 : bindings.isEmpty ? 1 : bindings.count + 1 }

    /// Writes message `i` (< ``messageCount``) into `out`; its length, nil when it does not fit.
    public func message(_ i: Int, into out: UnsafeMutableRawBufferPointer) -> Int? {
        if i == 0 {
            let requestor = requestorID
            return requestor.withUnsafeBytesOptional { r in
                LeasequeryReplyEncoder.reply(transactionID: transactionID, requestorID: r, serverID: serverID,
                                             status: status, binding: bindings.first, into: out)
            }
        }
        if i < bindings.count { return LeasequeryReplyEncoder.data(transactionID: transactionID, binding: bindings[i], into: out) }
        return LeasequeryReplyEncoder.done(transactionID: transactionID, status: nil, into: out)
    }
}

extension Optional where Wrapped == [UInt8] {
    func withUnsafeBytesOptional<R>(_ body: (UnsafeRawBufferPointer?) -> R) -> R {
        guard let bytes = self else { return body(nil) }
        return bytes.withUnsafeBytes { body($0) }
    }
}

/// Answers the LEASEQUERY messages of one bulk leasequery connection (RFC 5460 over TCP; the
/// caller frames each message with its 2-byte length).
public enum LeasequeryBulkResponder {
    /// What the connection does after a query.
    public enum Disposition: Sendable, Hashable {
        /// Send the answer, then read the next query.
        case keepOpen
        /// Send the answer (if any), then close the connection: the frame was not a decodable
        /// LEASEQUERY, or the querier is not allowed.
        case close
    }

    /// Decides the answer to `message` (one frame without its length) from `querier`:
    ///
    /// - a frame that is not a LEASEQUERY or whose options overrun: nothing, close;
    /// - a Server Identifier that is not ours: nothing;
    /// - a querier not `allowed`: LEASEQUERY-REPLY NotAllowed (10), close;
    /// - MalformedQuery (8) / UnknownQueryType (7) / NotConfigured (9) / no data: one LEASEQUERY-REPLY;
    /// - bindings: LEASEQUERY-REPLY with the first, LEASEQUERY-DATA (17) with each further one in
    ///   ascending address order, then LEASEQUERY-DONE (16).
    public static func prepare(_ message: UnsafeRawBufferPointer, querier: IPv6Address, port: UInt16, allowed: Bool,
                               serverID: [UInt8], data: some LeasequeryBulkSource) -> LeasequeryBulkAnswer {
        var o = LeasequeryOutcome(result: .discarded, querier: querier, querierPort: port, transport: .tcp)
        let range = 0..<message.count
        let decoded = LeasequeryQuery.decode(message, range: range)
        let ids = LeasequeryQuery.identifiers(message, range: range)
        func answer(_ disposition: Disposition, status: LeasequeryStatus? = nil, bindings: [LeasequeryBinding] = [],
                    replies: Bool = true) -> LeasequeryBulkAnswer {
            LeasequeryBulkAnswer(outcome: o, disposition: disposition, transactionID: decoded.transactionID,
                                 requestorID: ids.requestorID.map { message.bytes($0) }, serverID: serverID,
                                 status: status, bindings: bindings, replies: replies)
        }
        switch decoded.problem {
        case .notLeasequery?, .undecodable?:
            o.problem = decoded.problem?.description
            return answer(.close, replies: false)
        default:
            break
        }
        o.transactionID = decoded.transactionID
        o.rawQueryType = decoded.query?.rawQueryType
        if case .unknownQueryType(let t)? = decoded.problem { o.rawQueryType = t }
        o.queriedAddress = decoded.query?.address
        o.queriedClientID = decoded.query?.clientID.map { message.inlineBytes($0) }
        if let sid = ids.serverID, !message.equals(sid, serverID) {
            o.problem = "Server Identifier is not ours"
            return answer(.keepOpen, replies: false)
        }
        guard allowed else {
            o.result = .notAllowed
            return answer(.close, status: .notAllowed)
        }
        guard let q = decoded.query else {
            o.problem = decoded.problem?.description
            if case .unknownQueryType? = decoded.problem { o.result = .unknownQueryType } else { o.result = .malformedQuery }
            return answer(.keepOpen, status: o.result.status)
        }
        let bindings: [LeasequeryBinding]
        switch q.queryType {
        case .byAddress?, .byClientID?:
            let (result, binding) = LeasequeryResponder.answer(q, in: message, data: data)
            o.result = result
            bindings = binding.map { [$0] } ?? []
        case .byRelayID?:
            bindings = data.activeBindings(.relayID(message.bytes(q.relayID ?? 0..<0)))
            o.result = bindings.isEmpty ? .noData : .data
        case .byRemoteID?:
            bindings = data.activeBindings(.remoteID(message.bytes(q.remoteID ?? 0..<0)))
            o.result = bindings.isEmpty ? .noData : .data
        case .byLinkAddress?:
            bindings = data.activeBindings(.linkAddress(q.linkAddress))
            o.result = bindings.isEmpty ? .noData : .data
        case nil:
            bindings = []
        }
        o.bindings = bindings.count
        o.answeredAddress = bindings.first?.address
        return answer(.keepOpen, status: o.result.status, bindings: bindings)
    }

    /// ``prepare(_:querier:port:allowed:serverID:data:)`` and every message at once through `emit`
    /// (each valid only during the call), written in `buffer`; a message that does not fit is
    /// skipped and named in the outcome's `problem`.
    public static func answer(_ message: UnsafeRawBufferPointer, querier: IPv6Address, port: UInt16, allowed: Bool,
                              serverID: [UInt8], data: some LeasequeryBulkSource,
                              buffer: UnsafeMutableRawBufferPointer,
                              emit: (UnsafeRawBufferPointer) -> Void) -> (LeasequeryOutcome, Disposition) {
        var a = prepare(message, querier: querier, port: port, allowed: allowed, serverID: serverID, data: data)
        var skipped = 0
        for i in 0..<a.messageCount {
            guard let n = a.message(i, into: buffer) else { skipped += 1; continue }
            emit(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        if skipped > 0 { a.outcome.problem = "\(skipped) messages did not fit the buffer" }
        return (a.outcome, a.disposition)
    }
}
