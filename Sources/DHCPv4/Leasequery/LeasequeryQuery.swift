import ShadowCore

/// A decoded DHCPLEASEQUERY (RFC 4388 §6.1) or DHCPBULKLEASEQUERY (RFC 6926 §7.2): what is asked
/// and what the reply must echo.
public struct LeasequeryQuery: Sendable, Hashable {
    /// What identifies the lease(s) asked for.
    public enum Key: Sendable, Hashable {
        /// `ciaddr` (DHCPLEASEQUERY only).
        case address(IPv4Address)
        /// `htype`, `hlen`, `chaddr`.
        case hardware(htype: UInt8, [UInt8])
        /// Option 61.
        case clientID([UInt8])
        /// Option 82 sub-option 12 (RFC 6925; DHCPBULKLEASEQUERY only).
        case relayID([UInt8])
        /// Option 82 sub-option 2 (DHCPBULKLEASEQUERY only).
        case remoteID([UInt8])

        /// The name in counters, logs and events.
        public var name: String {
            switch self {
            case .address: "Address"
            case .hardware: "MAC"
            case .clientID: "ClientID"
            case .relayID: "RelayID"
            case .remoteID: "RemoteID"
            }
        }

        /// The queried value as text (address, MAC or hex bytes).
        public var value: String {
            switch self {
            case .address(let a): a.description
            case .hardware(let htype, let bytes):
                htype == BOOTP.htypeEthernet && bytes.count == 6 ? MACAddress(bytes: bytes).description : hex(bytes)
            case .clientID(let b), .relayID(let b): hex(b)
            case .remoteID(let b): String(validating: b, as: UTF8.self) ?? hex(b)
            }
        }
    }

    /// DHCPBULKLEASEQUERY (over TCP) rather than DHCPLEASEQUERY.
    public var bulk: Bool
    public var key: Key
    public var xid: UInt32
    public var giaddr: IPv4Address
    public var flags: UInt16
    /// Option 55 lists option 92: a DHCPLEASEACTIVE to a query by MAC or client identifier then
    /// carries associated-ip (RFC 4388 §6.4.1).
    public var wantsAssociatedIP: Bool
    /// query-start-time and query-end-time (bulk): only leases whose client last transacted within.
    public var queryStart: UInt32?
    public var queryEnd: UInt32?

    /// Why a query is answered with a status code instead of leases.
    public struct Refusal: Error, Sendable, Hashable {
        public var status: LeasequeryStatus
        public var message: String

        public init(status: LeasequeryStatus, message: String) {
            self.status = status
            self.message = message
        }
    }

    /// The query in `m` (option 53 of 10 or, with `bulk`, 14). A query that fits no form throws
    /// a ``Refusal`` (MalformedQuery, or NotAllowed for what this server never answers).
    public init(_ m: DHCPv4Message, bulk: Bool) throws(Refusal) {
        self.bulk = bulk
        xid = m.xid
        giaddr = m.giaddr
        flags = m.flags
        wantsAssociatedIP = m.option(LeasequeryOption.parameterRequestList)?.contains(LeasequeryOption.associatedIP) ?? false
        let hardware = Self.hardware(m)
        let clientID = m.option(DHCPv4Option.clientIdentifier).map(Array.init)
        if let id = clientID, id.isEmpty { throw Refusal(status: .malformedQuery, message: "empty client identifier") }
        guard m.op == BOOTP.request else { throw Refusal(status: .malformedQuery, message: "not a BOOTREQUEST") }
        if !bulk {
            if m.ciaddr != .any {
                key = .address(m.ciaddr)
            } else if let clientID {
                key = .clientID(clientID)
            } else if let hardware {
                key = .hardware(htype: m.htype, hardware)
            } else {
                throw Refusal(status: .malformedQuery, message: "no ciaddr, client identifier or chaddr")
            }
            return
        }
        guard m.ciaddr == .any else { throw Refusal(status: .malformedQuery, message: "ciaddr must be zero") }
        guard m.yiaddr == .any else { throw Refusal(status: .malformedQuery, message: "yiaddr must be zero") }
        guard m.siaddr == .any else { throw Refusal(status: .malformedQuery, message: "siaddr must be zero") }
        if m.option(LeasequeryOption.virtualSubnetSelection) != nil {
            throw Refusal(status: .notAllowed, message: "VPN queries are not supported")
        }
        queryStart = try Self.time(m, LeasequeryOption.queryStartTime, "query-start-time")
        queryEnd = try Self.time(m, LeasequeryOption.queryEndTime, "query-end-time")
        if let s = queryStart, let e = queryEnd, s > e {
            throw Refusal(status: .malformedQuery, message: "query-start-time is after query-end-time")
        }
        var keys: [Key] = []
        if let hardware { keys.append(.hardware(htype: m.htype, hardware)) }
        if let clientID { keys.append(.clientID(clientID)) }
        if let relay = m.relayAgentInformation {
            let relayID = Self.subOption(relay.payload, LeasequeryOption.relayIDSubOption)
            let remoteID = Self.subOption(relay.payload, RelayAgentSubOption.remoteID)
            if relayID?.isEmpty == true { throw Refusal(status: .malformedQuery, message: "empty relay identifier") }
            if remoteID?.isEmpty == true { throw Refusal(status: .malformedQuery, message: "empty remote-id") }
            if let relayID { keys.append(.relayID(relayID)) }
            if let remoteID { keys.append(.remoteID(remoteID)) }
        }
        guard keys.count <= 1 else { throw Refusal(status: .malformedQuery, message: "more than one query type") }
        guard let only = keys.first else {
            throw Refusal(status: .notAllowed, message: "a query for all configured addresses is not supported")
        }
        key = only
    }

    /// `chaddr`'s first `hlen` bytes, when `hlen` is not 0 and they are not all zero.
    private static func hardware(_ m: DHCPv4Message) -> [UInt8]? {
        let bytes = Array(m.clientHardwareAddress)
        return bytes.isEmpty || bytes.allSatisfy({ $0 == 0 }) ? nil : bytes
    }

    private static func time(_ m: DHCPv4Message, _ code: UInt8, _ name: String) throws(Refusal) -> UInt32? {
        guard let v = m.option(code) else { return nil }
        guard v.count == 4 else { throw Refusal(status: .malformedQuery, message: "\(name) is not 4 bytes") }
        return v.readUInt32(at: 0)
    }

    /// The last instance of sub-option `code` in an Option 82 payload (validated by decoding).
    static func subOption(_ payload: UnsafeRawBufferPointer, _ code: UInt8) -> [UInt8]? {
        var found: [UInt8]?
        var i = 0
        while i + 1 < payload.count {
            let length = Int(payload[i + 1])
            if payload[i] == code { found = Array(payload[(i + 2)..<(i + 2 + length)]) }
            i += 2 + length
        }
        return found
    }
}

private func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for (i, b) in bytes.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ":")) }
        out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}

extension RelayAgentInformation {
    /// Sub-option 12, Relay Identifier (RFC 6925), found by scanning the option (decoding does not
    /// record it: only bulk leasequery reads it, on an ACK); nil when absent.
    public var relayIdentifier: UnsafeRawBufferPointer? {
        let p = payload
        var found: UnsafeRawBufferPointer?
        var i = 0
        while i + 1 < p.count {
            let length = Int(p[i + 1])
            if p[i] == LeasequeryOption.relayIDSubOption { found = p.slice(i + 2, length) }
            i += 2 + length
        }
        return found
    }
}
