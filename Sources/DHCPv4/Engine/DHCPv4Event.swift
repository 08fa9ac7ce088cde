import ShadowCore

/// The analytics record of one received datagram (docs/events.md, v4).
///
/// Rendered by `jsonLine(timestampKey:timestamp:)`; the timestamp is not part of the record so the
/// caller stamps it when it emits the event.
public struct DHCPv4Event: Sendable, Hashable {
    /// The request's option 53 value; nil when absent or the datagram was undecodable.
    public var messageTypeCode: UInt8?
    /// The datagram's UDP source address (the relay), not `giaddr`.
    public var relayAddress: IPv4Address
    /// `chaddr` when `hlen` is 6.
    public var mac: MACAddress?
    /// The wire Option 82 triple (sub-options 1, 2, 6), when option 82 is present.
    public var option82: Option82?
    /// The matched reservation's reported fields, when the outcome keeps them.
    public var reservation: Reserved?
    /// How the reservation was found.
    public var match: ReservationMatch?
    /// The reply sent (`Offer`, `Ack`, `Nak`): `reply_type`, nil when nothing was sent. `success`
    /// is true for a NAK too (a reply went out); this field tells a NAK from a lease.
    public var replyType: DHCPv4MessageType?
    public var success: Bool
    public var failureReason: DHCPv4NoReplyReason?

    public init(messageTypeCode: UInt8?, relayAddress: IPv4Address, mac: MACAddress?, option82: Option82?,
                reservation: Reserved? = nil, match: ReservationMatch? = nil, replyType: DHCPv4MessageType? = nil,
                success: Bool, failureReason: DHCPv4NoReplyReason? = nil) {
        self.replyType = replyType
        self.messageTypeCode = messageTypeCode
        self.relayAddress = relayAddress
        self.mac = mac
        self.option82 = option82
        self.reservation = reservation
        self.match = match
        self.success = success
        self.failureReason = failureReason
    }

    /// The fields of a matched reservation that events report (`reservation_*`).
    public struct Reserved: Sendable, Hashable {
        public var ipv4: IPv4Address
        public var mac: MACAddress?
        public var option82: Option82?

        public init(ipv4: IPv4Address, mac: MACAddress?, option82: Option82?) {
            self.ipv4 = ipv4
            self.mac = mac
            self.option82 = option82
        }

        public init(_ r: Reservation) { self.init(ipv4: r.ipv4, mac: r.mac, option82: r.option82) }
    }

    /// `message_type`: the type's name (`Discover`, `Request`, `Inform`, …), `Unknown` for any
    /// other value, nil without option 53.
    public var messageTypeName: String? {
        messageTypeCode.map { DHCPv4MessageType(rawValue: $0)?.name ?? "Unknown" }
    }

    /// One compact JSON object, keys in the order of docs/events.md, no trailing newline.
    /// - Parameters:
    ///   - timestampKey: `timestamp_ms` (seed) or `timestamp` (HEAD).
    ///   - timestamp: milliseconds since the Unix epoch.
    public func jsonLine(timestampKey: String, timestamp: Int64) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("ip_version", "v4")
        w.field(timestampKey, timestamp)
        w.field("message_type", messageTypeName)
        w.field("relay_addr", relayAddress.description)
        w.field("mac_address", mac?.description)
        w.field("option82_circuit", option82?.circuit)
        w.field("option82_remote", option82?.remote)
        w.field("option82_subscriber", option82?.subscriber)
        w.field("reservation_ipv4", reservation?.ipv4.description)
        w.field("reservation_mac", reservation?.mac?.description)
        w.field("reservation_option82_circuit", reservation?.option82?.circuit)
        w.field("reservation_option82_remote", reservation?.option82?.remote)
        w.field("reservation_option82_subscriber", reservation?.option82?.subscriber)
        w.field("reply_type", replyType?.name)
        w.eventResult(match: match, success: success, failureReason: failureReason?.rawValue)
        return w.text
    }
}
