import ShadowCore

/// What the server knows of one client it served within its lease time: the content of one
/// OPTION_CLIENT_DATA (RFC 5007 §4.1.2.2) and, when known, its OPTION_LQ_RELAY_DATA (§4.1.2.4).
public struct LeasequeryBinding: Sendable, Hashable {
    /// The reservation's index in the snapshot.
    public var index: Int
    /// The DUID the client last used (or the reservation's DUID key); nil when neither is known.
    public var clientID: [UInt8]?
    public var address: IPv6Address
    public var prefix: IPv6Prefix
    /// Remaining preferred and valid lifetimes, in seconds.
    public var preferredLifetime: UInt32
    public var validLifetime: UInt32
    /// OPTION_CLT_TIME: seconds since the server last served the client.
    public var cltTime: UInt32
    /// The last Relay-forward that carried the client's message, without the client's message, and
    /// the address it came from: OPTION_LQ_RELAY_DATA.
    public var relay: LeasequeryRelayData?

    public init(index: Int, clientID: [UInt8]?, address: IPv6Address, prefix: IPv6Prefix,
                preferredLifetime: UInt32, validLifetime: UInt32, cltTime: UInt32, relay: LeasequeryRelayData? = nil) {
        self.index = index
        self.clientID = clientID
        self.address = address
        self.prefix = prefix
        self.preferredLifetime = preferredLifetime
        self.validLifetime = validLifetime
        self.cltTime = cltTime
        self.relay = relay
    }

    /// The binding of a reservation last served `elapsed` seconds ago under `leases`, or nil when
    /// its valid lifetime has run out (remaining lifetimes are the configured ones minus `elapsed`,
    /// never below 0; infinite ones stay infinite).
    public static func active(index: Int, clientID: [UInt8]?, address: IPv6Address, prefix: IPv6Prefix,
                              elapsed: UInt32, leases: LeaseTimes,
                              relay: LeasequeryRelayData?) -> LeasequeryBinding? {
        guard elapsed < leases.v6Valid else { return nil }
        // 0xffffffff is infinity (RFC 8415 §7.7) and stays so.
        func remaining(_ t: UInt32) -> UInt32 { t == .max ? .max : (t > elapsed ? t - elapsed : 0) }
        return LeasequeryBinding(index: index, clientID: clientID, address: address, prefix: prefix,
                                 preferredLifetime: remaining(leases.v6Preferred),
                                 validLifetime: remaining(leases.v6Valid),
                                 cltTime: elapsed, relay: relay)
    }
}

/// OPTION_LQ_RELAY_DATA's content: the relay's address and its last Relay-forward, the client's
/// message left out.
public struct LeasequeryRelayData: Sendable, Hashable {
    /// The UDP source the Relay-forward came from (RFC 5007: peer-address).
    public var peerAddress: IPv6Address
    /// The Relay-forward chain without the innermost Relay Message option.
    public var message: [UInt8]

    public init(peerAddress: IPv6Address, message: [UInt8]) {
        self.peerAddress = peerAddress
        self.message = message
    }

    /// The innermost level's link-address (the client's link), when the message decodes.
    public var linkAddress: IPv6Address? { keys?.linkAddress }

    /// The bulk query keys of the stored chain.
    public var keys: LeasequeryRelayKeys? {
        message.withUnsafeBytes { LeasequeryRelayChain.keys(of: $0) }
    }
}

/// Where a leasequery finds what it answers from (the worker's snapshot, last-served times and
/// relay records; a table in tests).
public protocol LeasequeryDataSource {
    /// The reservation whose address is `address` or whose delegated prefix contains it.
    func reservation(holding address: IPv6Address) -> Int?
    /// The reservation of the client identified by the DUID `clientID`: by the reservation's DUID
    /// key, or by the DUID the client last used when it was served.
    func reservation(clientID: UnsafeRawBufferPointer) -> Int?
    /// The binding of reservation `index`, or nil when it was not served within its lease time.
    func activeBinding(_ index: Int) -> LeasequeryBinding?
}
