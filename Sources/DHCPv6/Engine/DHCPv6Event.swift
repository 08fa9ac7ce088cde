import ShadowCore

/// The analytics record of one received datagram (docs/events.md, `ip_version` v6).
public struct DHCPv6Event: Sendable {
    /// The inner client message type byte; nil renders as `Unknown`.
    public var messageType: UInt8?
    /// The 24-bit transaction id; nil renders as `""`.
    public var transactionID: UInt32?
    /// UDP source address of the datagram.
    public var relayAddress: IPv6Address
    /// The innermost Relay-forward's link-address and peer-address (`::` when undecodable).
    public var relayLinkAddress: IPv6Address = .any
    public var relayPeerAddress: IPv6Address = .any
    /// From Option 79 only (6-byte address), whatever extractor matched.
    public var mac: MACAddress?
    /// The Client Identifier's bytes, inline up to ``InlineBytes/inlineCapacity`` (no allocation
    /// for the DUIDs clients send).
    public var clientIDBytes: InlineBytes?
    /// ``SnapshotLayout/duidHash(_:)`` of ``clientIDBytes`` (set with them by the engine; not
    /// rendered): the key of the client's storm-control bucket in the v6 worker.
    public var clientIDHash: UInt64?
    /// The Client Identifier as a DUID (made on demand: for logs, events and tests).
    public var clientID: DUID? {
        get { clientIDBytes.map { DUID(bytes: $0.bytes) } }
        set { clientIDBytes = newValue.map { InlineBytes($0.bytes) } }
    }
    /// Payloads of the innermost relay's Interface-ID (18) and Remote-ID (37), kept as bytes
    /// (inline up to 48 bytes: taking them from the datagram allocates nothing) and turned into
    /// text only when asked for (§3.2 rules, via ``Option1837``).
    public var relayInterfaceID: InlineBytes?
    public var relayRemoteID: InlineBytes?
    public var requestedNA: IPv6Address?
    public var requestedPD: IPv6Prefix?
    /// How the reservation was found; its index is into ``snapshot`` (keeps the record small and
    /// cheap to copy).
    public var match: ReservationMatch?
    public var snapshot: ReservationSnapshot?
    public var success = false
    public var failureReason: DHCPv6NoReplyReason?

    /// Inlined: called out of line, it returned the event (378 bytes) through a temporary that
    /// the outcome's builder then copied, twice per message.
    @inline(__always)
    public init(relayAddress: IPv6Address) { self.relayAddress = relayAddress }

    /// The matched reservation.
    public var reservation: Reservation? {
        guard let match, let snapshot else { return nil }
        return snapshot[match.index]
    }

    /// Option 18/37 of the innermost relay as a lookup value (nil when neither is usable).
    public var option1837: Option1837? { Self.option1837(interfaceID: relayInterfaceID, remoteID: relayRemoteID) }

    /// Option 18/37 payloads as a lookup value (nil when neither is usable).
    static func option1837(interfaceID: InlineBytes?, remoteID: InlineBytes?) -> Option1837? {
        guard interfaceID != nil || remoteID != nil else { return nil }
        func bytes<R>(_ b: InlineBytes?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
            guard let b else { return body(nil) }
            return b.withUnsafeBytes { body($0) }
        }
        return bytes(interfaceID) { i in bytes(remoteID) { r in Option1837(wireInterfaceID: i, wireRemoteID: r) } }
    }

    public var option1837Interface: String? { option1837?.interface }
    public var option1837Remote: String? { option1837?.remote }

    /// The `xid` field: six lower-case hex digits, or `""`.
    public var xidText: String {
        guard let xid = transactionID else { return "" }
        let hex = String(xid & 0xFF_FFFF, radix: 16)
        return String(repeating: "0", count: 6 - hex.count) + hex
    }

    /// One compact JSON object, keys in the schema's order. The time key differs between upstream
    /// generations (`timestamp` at HEAD, `timestamp_ms` in the seed), so it is a parameter.
    public func jsonLine(timestampKey: String = "timestamp_ms", timestamp: Int64) -> String {
        var j = JSONWriter()
        j.beginObject()
        j.field("ip_version", "v6")
        j.field(timestampKey, timestamp)
        j.field("message_type", messageType.map(DHCPv6MessageType.eventName(ofRawType:)) ?? "Unknown")
        j.field("xid", xidText)
        j.field("relay_addr", relayAddress.description)
        j.field("relay_link_addr", relayLinkAddress.description)
        j.field("relay_peer_addr", relayPeerAddress.description)
        j.field("mac_address", mac?.description)
        j.field("client_id", clientID?.description)
        let o1837 = option1837
        j.field("option1837_interface", o1837?.interface)
        j.field("option1837_remote", o1837?.remote)
        j.field("requested_ipv6_na", requestedNA?.description)
        j.field("requested_ipv6_pd", requestedPD?.description)
        let reservation = self.reservation
        j.field("reservation_ipv6_na", reservation?.ipv6NA.description)
        j.field("reservation_ipv6_pd", reservation?.ipv6PD.description)
        j.field("reservation_ipv4", reservation?.ipv4.description)
        j.field("reservation_mac", reservation?.mac?.description)
        j.field("reservation_duid", reservation?.duid?.description)
        j.field("reservation_option1837_interface", reservation?.option1837?.interface)
        j.field("reservation_option1837_remote", reservation?.option1837?.remote)
        j.eventResult(match: match, success: success, failureReason: failureReason?.rawValue)
        return j.text
    }
}
