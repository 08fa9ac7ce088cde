import ShadowCore

/// A LEASEQUERY message (RFC 5007 §4.1.2.1, RFC 5460 §5.1) decoded in place: the header, the
/// requestor's identifiers and OPTION_LQ_QUERY with the query option its type needs.
public struct LeasequeryQuery: Sendable, Hashable {
    public var transactionID: UInt32
    /// Payload of the requestor's Client Identifier (1), copied into the reply.
    public var requestorID: Range<Int>?
    /// Payload of the Server Identifier (2), when the requestor named a server.
    public var serverID: Range<Int>?
    /// The query-type byte (an unknown one is kept for the UnknownQueryType reply).
    public var rawQueryType: UInt8
    public var linkAddress: IPv6Address
    /// QUERY_BY_ADDRESS: the address of the first IA Address option (5) in the query options.
    public var address: IPv6Address?
    /// QUERY_BY_CLIENTID: payload of the Client Identifier in the query options.
    public var clientID: Range<Int>?
    /// QUERY_BY_RELAY_ID: payload of OPTION_RELAY_ID (53), the relay's DUID.
    public var relayID: Range<Int>?
    /// QUERY_BY_REMOTE_ID: payload of the Remote-ID option (37): enterprise number and remote-id.
    public var remoteID: Range<Int>?

    public var queryType: LeasequeryQueryType? { LeasequeryQueryType(rawValue: rawQueryType) }

    /// Why a query is refused before it is looked at.
    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        /// Fewer than 4 bytes, or not a LEASEQUERY: no reply is possible.
        case notLeasequery
        /// The options do not fit the message: MalformedQuery over UDP; over TCP the frame is
        /// garbage and its connection is closed.
        case undecodable(String)
        /// MalformedQuery (RFC 5007 §4.3.2): what is wrong.
        case malformed(String)
        /// UnknownQueryType: the query-type byte.
        case unknownQueryType(UInt8)

        public var description: String {
            switch self {
            case .notLeasequery: "not a LEASEQUERY message"
            case .undecodable(let why): why
            case .malformed(let why): why
            case .unknownQueryType(let t): "unknown query-type \(t)"
            }
        }
    }

    /// Decodes the LEASEQUERY in `range` of `buffer`. A structural problem after the 4-byte header
    /// is returned with the transaction id, so the caller can answer MalformedQuery or
    /// UnknownQueryType. Allocates nothing.
    public static func decode(_ buffer: UnsafeRawBufferPointer,
                              range: Range<Int>) -> (query: LeasequeryQuery?, transactionID: UInt32, problem: Problem?) {
        let at = range.lowerBound
        guard range.count >= DHCPv6Wire.clientHeaderLength,
              buffer.u8(at) == LeasequeryMessageType.leasequery.rawValue else { return (nil, 0, .notLeasequery) }
        let xid = buffer.u24(at + 1)
        var q = LeasequeryQuery(transactionID: xid, rawQueryType: 0, linkAddress: .any)
        var lqQuery: Range<Int>?
        do {
            let options = (at + DHCPv6Wire.clientHeaderLength)..<range.upperBound
            try DHCPv6OptionWalker(buffer: buffer, range: options, messageOffset: at).forEach { (o) throws(DHCPv6DecodeError) in
                switch o.code {
                case DHCPv6OptionCode.clientID: if q.requestorID == nil { q.requestorID = o.payload }
                case DHCPv6OptionCode.serverID: if q.serverID == nil { q.serverID = o.payload }
                case LeasequeryOptionCode.query: if lqQuery == nil { lqQuery = o.payload }
                default: break
                }
            }
        } catch {
            return (nil, xid, .undecodable("options do not fit the message (\(error))"))
        }
        guard q.requestorID != nil else { return (nil, xid, .malformed("no Client Identifier (1)")) }
        guard let lq = lqQuery else { return (nil, xid, .malformed("no OPTION_LQ_QUERY (44)")) }
        guard lq.count >= 17 else { return (nil, xid, .malformed("OPTION_LQ_QUERY shorter than 17 bytes")) }
        q.rawQueryType = buffer.u8(lq.lowerBound)
        q.linkAddress = buffer.ipv6(lq.lowerBound + 1)
        do {
            try q.recordQueryOptions(buffer, (lq.lowerBound + 17)..<lq.upperBound, messageOffset: at)
        } catch {
            return (nil, xid, .undecodable("query options do not fit OPTION_LQ_QUERY (\(error))"))
        }
        guard let type = q.queryType else { return (nil, xid, .unknownQueryType(q.rawQueryType)) }
        switch type {
        case .byAddress where q.address == nil:
            return (nil, xid, .malformed("QUERY_BY_ADDRESS without an IA Address option (5)"))
        case .byClientID where q.clientID == nil:
            return (nil, xid, .malformed("QUERY_BY_CLIENTID without a Client Identifier (1)"))
        case .byRelayID where q.relayID == nil:
            return (nil, xid, .malformed("QUERY_BY_RELAY_ID without OPTION_RELAY_ID (53)"))
        case .byRemoteID where (q.remoteID?.count ?? 0) < 5:
            return (nil, xid, .malformed("QUERY_BY_REMOTE_ID without a Remote-ID option (37) of at least 5 bytes"))
        case .byLinkAddress where q.linkAddress == .any:
            return (nil, xid, .malformed("QUERY_BY_LINK_ADDRESS with link-address ::"))
        default:
            return (q, xid, nil)
        }
    }

    init(transactionID: UInt32, rawQueryType: UInt8, linkAddress: IPv6Address) {
        self.transactionID = transactionID
        self.rawQueryType = rawQueryType
        self.linkAddress = linkAddress
    }

    private mutating func recordQueryOptions(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>,
                                             messageOffset: Int) throws(DHCPv6DecodeError) {
        try DHCPv6OptionWalker(buffer: buffer, range: range, messageOffset: messageOffset).forEach {
            (o) throws(DHCPv6DecodeError) in
            switch o.code {
            case DHCPv6OptionCode.iaAddress:
                guard o.payload.count >= DHCPv6Wire.iaAddressLength else {
                    throw DHCPv6DecodeError(.malformedOption, optionCode: o.code, offset: o.offset,
                                            messageOffset: messageOffset)
                }
                if address == nil { address = buffer.ipv6(o.payload.lowerBound) }
            case DHCPv6OptionCode.clientID:
                guard o.payload.count <= DUID.maximumLength else {
                    throw DHCPv6DecodeError(.clientIDTooLong, optionCode: o.code, offset: o.offset,
                                            messageOffset: messageOffset)
                }
                if clientID == nil { clientID = o.payload }
            case LeasequeryOptionCode.relayID:
                if relayID == nil { relayID = o.payload }
            case DHCPv6OptionCode.remoteID:
                if remoteID == nil { remoteID = o.payload }
            default:
                break
            }
        }
    }
}
