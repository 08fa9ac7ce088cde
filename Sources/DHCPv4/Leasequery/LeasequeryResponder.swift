import ShadowCore

/// The header fields a leasequery reply echoes from its query (RFC 4388 §6.4).
public struct LeasequeryEcho: Sendable, Hashable {
    public var xid: UInt32
    public var flags: UInt16
    public var ciaddr: IPv4Address
    public var giaddr: IPv4Address
    public var htype: UInt8
    /// The first `hlen` bytes of `chaddr`.
    public var chaddr: [UInt8]

    public init(_ m: DHCPv4Message) {
        xid = m.xid
        flags = m.flags
        ciaddr = m.ciaddr
        giaddr = m.giaddr
        htype = m.htype
        chaddr = Array(m.clientHardwareAddress)
    }
}

/// What the server answers to one query.
public enum LeasequeryResult: String, Sendable, Hashable, CaseIterable {
    /// DHCPLEASEACTIVE (bulk: at least one, then DHCPLEASEQUERYDONE).
    case active = "Active"
    /// DHCPLEASEUNASSIGNED: a reserved address not served within its lease time.
    case unassigned = "Unassigned"
    /// DHCPLEASEUNKNOWN (bulk: DHCPLEASEQUERYDONE with no lease): nothing reserved, or a client
    /// without an active lease.
    case unknown = "Unknown"
    /// Answered with status MalformedQuery.
    case malformedQuery = "MalformedQuery"
    /// UDP: dropped (the querier or giaddr is outside `allowed`); TCP: status NotAllowed.
    case notAllowed = "NotAllowed"
}

/// Leasequery's reply logic (RFC 4388, RFC 6926 for DHCPv4): pure functions from a query and
/// the worker's state to reply bytes, like the engine's.
public struct LeasequeryResponder: Sendable {
    /// Option 54 of every reply (`ids.v4`).
    public let serverIdentifier: IPv4Address
    /// `lease_time_v4`: a reservation served less than this long ago holds an active lease.
    public let leaseTime: UInt32

    public init(config: ServerConfig, ids: ServerIdentifiers) {
        serverIdentifier = ids.v4
        leaseTime = config.leases.v4Lease
    }

    public init(serverIdentifier: IPv4Address, leaseTime: UInt32) {
        self.serverIdentifier = serverIdentifier
        self.leaseTime = leaseTime
    }

    /// The answer to a DHCPLEASEQUERY: the reply type and, for DHCPLEASEACTIVE, the lease.
    /// By address: the reservation of that address, active or unassigned; none → unknown. By MAC or
    /// client identifier (type 1 with a 6-byte MAC, the only kind reservations are keyed by): the
    /// client's reservation when active; otherwise unknown, as RFC 4388 answers for a client with no
    /// active lease (DHCPLEASEUNASSIGNED speaks about an address).
    public func answer(_ q: LeasequeryQuery, state: LeasequeryState, now: UInt32) -> (LeasequeryResult, LeasequeryLease?) {
        switch q.key {
        case .address(let a):
            guard let i = state.index.reservation(at: a) else { return (.unknown, nil) }
            let lease = state.lease(i)
            return lease.isActive(now: now, leaseTime: leaseTime) ? (.active, lease) : (.unassigned, lease)
        case .hardware, .clientID:
            guard let lease = clientLease(q.key, state: state), lease.isActive(now: now, leaseTime: leaseTime) else {
                return (.unknown, nil)
            }
            return (.active, lease)
        case .relayID, .remoteID:
            return (.unknown, nil)  // bulk only (the query decoder never makes these for DHCPLEASEQUERY)
        }
    }

    /// The active leases a DHCPBULKLEASEQUERY asks for, in ascending address order, filtered by
    /// query-start-time / query-end-time on the client's last transaction. Query by relay
    /// identifier: the reservations whose last ACK carried that relay identifier (recorded by the
    /// worker with bulk); refused NotAllowed when the state has no record of them.
    public func bulk(_ q: LeasequeryQuery, state: LeasequeryState, now: UInt32) throws(LeasequeryQuery.Refusal) -> [LeasequeryLease] {
        var leases: [LeasequeryLease]
        switch q.key {
        case .address, .hardware, .clientID:
            leases = clientLease(q.key, state: state).map { [$0] } ?? []
        case .remoteID(let bytes):
            guard let remote = String(validating: bytes, as: UTF8.self) else { return [] }
            leases = state.index.reservations(remoteID: remote).map { state.lease(Int($0)) }
        case .relayID(let bytes):
            guard let lookup = state.relayIDReservations else {
                throw LeasequeryQuery.Refusal(status: .notAllowed,
                                              message: "query by relay identifier is not supported: relay identifiers are not recorded")
            }
            leases = lookup(bytes).map { state.lease($0) }.sorted { $0.address.value < $1.address.value }
        }
        leases.removeAll { !$0.isActive(now: now, leaseTime: leaseTime) }
        if let start = q.queryStart { leases.removeAll { $0.servedAt < start } }
        if let end = q.queryEnd { leases.removeAll { $0.servedAt > end } }
        return leases
    }

    private func clientLease(_ key: LeasequeryQuery.Key, state: LeasequeryState) -> LeasequeryLease? {
        let mac: MACAddress
        switch key {
        case .address(let a):
            return state.index.reservation(at: a).map { state.lease($0) }
        case .hardware(let htype, let bytes):
            guard htype == BOOTP.htypeEthernet, bytes.count == 6 else { return nil }
            mac = MACAddress(bytes: bytes)
        case .clientID(let id):
            guard id.count == 7, id[0] == BOOTP.htypeEthernet else { return nil }
            mac = MACAddress(bytes: id[1...])
        case .relayID, .remoteID:
            return nil
        }
        return state.reservation(mac: mac).map { state.lease($0) }
    }

    /// Writes one reply into `buffer`; nil when it does not fit.
    ///
    /// Header: BOOTREPLY, `xid`, `flags` and `giaddr` echoed. DHCPLEASEACTIVE: `ciaddr` the lease's
    /// address, `chaddr` the client's MAC when known (else `htype` and `hlen` 0); options 53, 54,
    /// 51 (lease time left), 91 (seconds since the last ACK), 152 (`baseTime`: bulk), 92 (with
    /// `associatedIP`), 82 (circuit, remote-id, subscriber-id of the Option 82 the client last came in with).
    /// Other types echo `ciaddr` and `chaddr` of the query (DHCPLEASEQUERYDONE: none). Option 151
    /// when `status` is given. `padded`: zeros up to 300 bytes (UDP).
    public func encode(_ type: LeasequeryMessageType, lease: LeasequeryLease?, echo: LeasequeryEcho, now: UInt32,
                       associatedIP: Bool = false, baseTime: Bool = false,
                       status: (LeasequeryStatus, String)? = nil, padded: Bool,
                       into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        var w = DHCPv4ReplyWriter(buffer)
        w.byte(BOOTP.reply)
        var chaddr: [UInt8] = []
        var htype: UInt8 = 0
        var ciaddr = IPv4Address.any
        if type == .leaseActive, let lease {
            ciaddr = lease.address
            if let mac = lease.mac { chaddr = mac.bytes; htype = BOOTP.htypeEthernet }
        } else if type != .leasequeryDone {
            ciaddr = echo.ciaddr
            chaddr = echo.chaddr
            htype = echo.htype
        }
        w.byte(htype)
        w.byte(UInt8(chaddr.count))
        w.byte(0)                                   // hops
        w.uint32(echo.xid)
        w.uint16(0)                                 // secs
        w.uint16(echo.flags)
        w.address(ciaddr)
        w.address(.any)                             // yiaddr
        w.address(.any)                             // siaddr
        w.address(echo.giaddr)
        chaddr.withUnsafeBytes { w.copy($0) }
        w.zeros(BOOTP.chaddrLength - chaddr.count + 64 + 128)
        w.uint32(BOOTP.magicCookie)
        w.option(DHCPv4Option.messageType, byte: type.rawValue)
        w.option(DHCPv4Option.serverIdentifier, uint32: serverIdentifier.value)
        if type == .leaseActive, let lease {
            w.option(DHCPv4Option.leaseTime, uint32: lease.remaining(now: now, leaseTime: leaseTime))
            w.option(LeasequeryOption.clientLastTransactionTime,
                     uint32: now > lease.servedAt ? now - lease.servedAt : 0)
            if baseTime { w.option(LeasequeryOption.baseTime, uint32: now) }
            if associatedIP { w.option(LeasequeryOption.associatedIP, addresses: [lease.address]) }
            if let o82 = lease.option82, let payload = Self.relayAgentPayload(o82) {
                payload.withUnsafeBytes { w.option(DHCPv4Option.relayAgentInformation, payload: $0) }
            }
        }
        if let (code, message) = status {
            var payload = [code.rawValue]
            payload += message.utf8.prefix(250)
            payload.withUnsafeBytes { w.option(LeasequeryOption.statusCode, payload: $0) }
        }
        return w.finish(minimumLength: padded ? BOOTP.minimumMessageLength : 0)
    }

    /// Sub-options 1, 2 and 6 of `o82`, nil when empty or longer than an option holds.
    static func relayAgentPayload(_ o82: Option82) -> [UInt8]? {
        var payload: [UInt8] = []
        for (code, text) in [(RelayAgentSubOption.circuitID, o82.circuit), (RelayAgentSubOption.remoteID, o82.remote),
                             (RelayAgentSubOption.subscriberID, o82.subscriber)] {
            guard let text else { continue }
            let bytes = Array(text.utf8)
            guard bytes.count <= 255 else { return nil }
            payload.append(code); payload.append(UInt8(bytes.count)); payload += bytes
        }
        return payload.isEmpty || payload.count > 255 ? nil : payload
    }
}
