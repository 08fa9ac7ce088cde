import ShadowCore

/// What a relay adds to every DHCPv4 request it forwards.
public struct V4Relay: Sendable, Hashable {
    /// `giaddr`: the server answers to this address (on port 67, or on the datagram's source port
    /// when ``sourcePortOption`` is set).
    public var giaddr: IPv4Address
    /// Option 82 sub-options 1, 2 and 6 as text; nil leaves one out, all nil leaves option 82 out
    /// unless ``sourcePortOption`` needs it.
    public var circuitID: String?
    public var remoteID: String?
    public var subscriberID: String?
    /// RFC 8357 Relay Agent Source Port (sub-option 19): replies come back to the source port of
    /// the request instead of 67, so a sender on an ephemeral port can receive them.
    public var sourcePortOption: Bool

    public init(giaddr: IPv4Address, circuitID: String? = nil, remoteID: String? = nil,
                subscriberID: String? = nil, sourcePortOption: Bool = false) {
        self.giaddr = giaddr
        self.circuitID = circuitID
        self.remoteID = remoteID
        self.subscriberID = subscriberID
        self.sourcePortOption = sourcePortOption
    }

    /// Option 82's payload, or empty when there is nothing to send.
    var option82Payload: [UInt8] { option82Payload(withCircuit: true) }

    /// The payload with or without sub-option 1 (a per-packet circuit replaces it).
    func option82Payload(withCircuit: Bool) -> [UInt8] {
        var subs: [(code: UInt8, value: [UInt8])] = []
        for (code, text) in [(UInt8(1), withCircuit ? circuitID : nil), (2, remoteID), (6, subscriberID)] {
            if let text { subs.append((code, Array(text.utf8.prefix(Self.maximumSubOptionLength)))) }
        }
        if sourcePortOption { subs.append((19, [])) }
        return DHCPv4Options.relayAgentInformation(subs)
    }

    /// The longest circuit, remote or subscriber id written.
    static let maximumSubOptionLength = 80
}

/// Writes relayed DHCPv4 DISCOVERs and SELECTING REQUESTs (RFC 2131) into a caller's buffer, as a
/// relay forwards them: `hops` 1, `giaddr` set, Option 82 last before End, padded to 300 bytes.
/// Allocates nothing per packet: the load generator writes straight into its send slots.
public struct V4RequestWriter: Sendable {
    public let relay: V4Relay
    private let option82: [UInt8]
    /// Option 82's payload without the circuit, for requests that carry their own.
    private let option82OtherSubOptions: [UInt8]
    /// Parameter Request List of a typical CPE: mask, router, DNS, lease, T1, T2.
    static let parameterRequestList: [UInt8] = [1, 3, 6, 51, 58, 59]
    /// This writer's option 55: ``parameterRequestList`` and the extra codes it was given.
    private let requestList: [UInt8]
    /// Largest datagram written (BOOTP minimum; the options always fit).
    public static let maximumLength = 300 + 260

    /// - Parameter requesting: codes added to option 55 after the typical CPE's (at most 64).
    public init(relay: V4Relay, requesting: [UInt8] = []) {
        self.relay = relay
        option82 = relay.option82Payload
        option82OtherSubOptions = relay.option82Payload(withCircuit: false)
        requestList = Self.parameterRequestList + requesting.prefix(64)
    }

    /// A DISCOVER from `mac` with transaction id `xid`. `requested` goes into option 50 (clients
    /// often ask for their previous address; shadowdhcp ignores it on DISCOVER, the floor responder
    /// copies it to `yiaddr`). `circuitID`, when given, replaces the relay's circuit (sub-option 1;
    /// at most 80 bytes written) in this request only. Returns the length written.
    public func discover(mac: MACAddress, xid: UInt32, requested: IPv4Address?, circuitID: UnsafeRawBufferPointer? = nil,
                         into out: UnsafeMutableRawBufferPointer) -> Int {
        write(type: 1, mac: mac, xid: xid, requested: requested, server: nil, circuitID: circuitID, into: out)
    }

    /// A SELECTING REQUEST: option 54 `server`, option 50 `requested` (the offered address);
    /// `circuitID` as for ``discover(mac:xid:requested:circuitID:into:)``.
    public func request(mac: MACAddress, xid: UInt32, requested: IPv4Address, server: IPv4Address,
                        circuitID: UnsafeRawBufferPointer? = nil, into out: UnsafeMutableRawBufferPointer) -> Int {
        write(type: 3, mac: mac, xid: xid, requested: requested, server: server, circuitID: circuitID, into: out)
    }

    private func write(type: UInt8, mac: MACAddress, xid: UInt32, requested: IPv4Address?,
                       server: IPv4Address?, circuitID: UnsafeRawBufferPointer?,
                       into out: UnsafeMutableRawBufferPointer) -> Int {
        var w = PacketWriter(out)
        w.bootpHead(op: DHCPv4Layout.bootRequest, htype: DHCPv4Layout.htypeEthernet, hlen: 6, hops: 1, xid: xid,
                    secs: 0, flags: 0, ciaddr: .any, yiaddr: .any, siaddr: .any, giaddr: relay.giaddr)
        w.mac(mac)
        w.bootpTail(chaddrLength: 6, cookie: DHCPv4Layout.magicCookie)
        w.u8(53); w.u8(1); w.u8(type)
        if let requested { w.u8(50); w.u8(4); w.ipv4(requested) }
        if let server { w.u8(54); w.u8(4); w.ipv4(server) }
        w.dhcpv4Option(55, requestList)
        if let circuitID {
            let circuit = UnsafeRawBufferPointer(rebasing: circuitID.prefix(V4Relay.maximumSubOptionLength))
            w.u8(82); w.u8(UInt8(2 + circuit.count + option82OtherSubOptions.count))
            w.u8(1); w.u8(UInt8(circuit.count)); w.bytes(circuit)
            w.bytes(option82OtherSubOptions)
        } else if !option82.isEmpty {
            w.dhcpv4Option(82, option82)
        }
        w.u8(DHCPv4Layout.end)
        if w.offset < 300 { w.zeros(300 - w.offset) }
        return w.offset
    }
}
