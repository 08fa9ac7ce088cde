import ShadowCore

extension DHCPv6Engine {
    /// Whether `datagram` carries a LEASEQUERY (14): sent directly by the requestor, or inside
    /// Relay-forwards. Looks at the first byte, and only for a Relay-forward decodes the chain.
    public static func isLeasequery(_ datagram: UnsafeRawBufferPointer) -> Bool {
        guard let first = datagram.first else { return false }
        if first == LeasequeryMessageType.leasequery.rawValue { return true }
        guard first == DHCPv6MessageType.relayForward.rawValue,
              let packet = try? DHCPv6Datagram.decodeRelays(datagram),
              let inner = packet.innermost.relayMessage, !inner.isEmpty else { return false }
        return datagram[inner.lowerBound] == LeasequeryMessageType.leasequery.rawValue
    }

    /// Answers a leasequery datagram (``isLeasequery(_:)``) from `source`:`sourcePort` with a
    /// LEASEQUERY-REPLY (RFC 5007): directly to the querier's address and port, or, for a
    /// relayed query, wrapped in Relay-replies to the relay like any reply.
    ///
    /// A querier outside `leasequery.allowed` gets NotAllowed and never data; a Server Identifier
    /// that is not ours means no reply. Bulk-only query types (3–5) are UnknownQueryType over UDP.
    public func leasequery(datagram: UnsafeRawBufferPointer, source: IPv6Address, sourcePort: UInt16,
                           data: some LeasequeryDataSource, reply out: UnsafeMutableRawBufferPointer) -> LeasequeryOutcome {
        let direct = datagram.first == LeasequeryMessageType.leasequery.rawValue
        var o = LeasequeryOutcome(result: .discarded, querier: source, querierPort: sourcePort,
                                  transport: direct ? .udpDirect : .udpRelayed)
        var packet: DHCPv6Datagram?
        let range: Range<Int>
        if direct {
            range = 0..<datagram.count
        } else {
            do {
                let p = try DHCPv6Datagram.decodeRelays(datagram)
                packet = p
                range = p.innermost.relayMessage ?? p.innermost.end..<p.innermost.end
            } catch {
                o.problem = "relay chain: \(error)"
                return o
            }
        }
        let decoded = LeasequeryQuery.decode(datagram, range: range)
        if case .notLeasequery = decoded.problem {
            o.problem = "not a LEASEQUERY"
            return o
        }
        o.transactionID = decoded.transactionID
        if let q = decoded.query {
            o.rawQueryType = q.rawQueryType
            o.queriedAddress = q.address
            o.queriedClientID = q.clientID.map { datagram.inlineBytes($0) }
        } else if case .unknownQueryType(let t) = decoded.problem {
            o.rawQueryType = t
        }
        // The requestor's identifiers, read even from a malformed query for the reply.
        let ids = LeasequeryQuery.identifiers(datagram, range: range)
        if let sid = ids.serverID, !datagram.equals(sid, serverID) {
            o.problem = "Server Identifier is not ours"
            return o
        }
        var binding: LeasequeryBinding?
        if !(config.leasequery?.allows(source) ?? false) {
            o.result = .notAllowed
        } else if let problem = decoded.problem {
            o.problem = problem.description
            if case .unknownQueryType = problem { o.result = .unknownQueryType } else { o.result = .malformedQuery }
        } else if let q = decoded.query {
            if q.queryType?.isBulkOnly ?? true {
                o.result = .unknownQueryType
                o.problem = "query type \(q.rawQueryType) is answered over TCP only (RFC 5460)"
            } else {
                (o.result, binding) = LeasequeryResponder.answer(q, in: datagram, data: data)
            }
        }
        o.answeredAddress = binding?.address
        o.bindings = binding == nil ? 0 : 1
        var w = WireWriter(out)
        let requestor = ids.requestorID.map { UnsafeRawBufferPointer(rebasing: datagram[$0]) }
        let (result, sid) = (o.result, serverID)
        let write = { (w: inout WireWriter) in
            LeasequeryReplyEncoder.writeReply(transactionID: decoded.transactionID, requestorID: requestor,
                                              serverID: sid, status: result.status, binding: binding, into: &w)
        }
        if let packet {
            RelayReplyEncoder.write(packet, into: &w, inner: write)
        } else {
            write(&w)
        }
        guard !w.overflowed else {
            o.result = .encodeFailed
            return o
        }
        let port = packet.map { $0.outermost.hasRelaySourcePort ? sourcePort : DHCPv6Wire.serverPort } ?? sourcePort
        o.reply = (w.position, source, port)
        return o
    }
}

extension LeasequeryQuery {
    /// The Client Identifier and Server Identifier of a LEASEQUERY whose options may be broken:
    /// the options up to the first that does not fit.
    static func identifiers(_ buffer: UnsafeRawBufferPointer,
                            range: Range<Int>) -> (requestorID: Range<Int>?, serverID: Range<Int>?) {
        guard range.count >= DHCPv6Wire.clientHeaderLength else { return (nil, nil) }
        var client: Range<Int>?, server: Range<Int>?
        DHCPv6OptionWalker(buffer: buffer, range: (range.lowerBound + DHCPv6Wire.clientHeaderLength)..<range.upperBound,
                           messageOffset: range.lowerBound).forEachOption { o in
            if o.code == DHCPv6OptionCode.clientID, client == nil, o.payload.count <= DUID.maximumLength { client = o.payload }
            if o.code == DHCPv6OptionCode.serverID, server == nil { server = o.payload }
        }
        return (client, server)
    }
}
