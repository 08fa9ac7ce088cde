import ShadowCore

/// Builds DHCPv4 client and relay datagrams byte by byte, including malformed ones.
///
/// For tests, the fuzzer's seed corpus and the benchmarks; the server never uses it (it
/// allocates). Options are written in the order added, each as given (no splitting), then End
/// unless `omitEnd` is set.
public struct DHCPv4PacketBuilder: Sendable, Hashable {
    /// Option 53's values (RFC 2132 §9.6), the client's side of `DHCPv4MessageType`.
    public enum MessageType: UInt8, Sendable, Hashable, CaseIterable {
        case discover = 1, offer, request, decline, ack, nak, release, inform
    }

    /// One option as it goes on the wire.
    public struct RawOption: Sendable, Hashable {
        public var code: UInt8
        public var payload: [UInt8]
        public init(code: UInt8, payload: [UInt8]) {
            self.code = code
            self.payload = payload
        }
    }

    public var op: UInt8 = DHCPv4Layout.bootRequest
    public var htype: UInt8 = DHCPv4Layout.htypeEthernet
    /// Written as given; `chaddr` is written in full (16 bytes) regardless.
    public var hlen: UInt8 = 6
    public var hops: UInt8 = 1
    public var xid: UInt32 = 0x1234_5678
    public var secs: UInt16 = 0
    public var flags: UInt16 = 0
    public var ciaddr: IPv4Address = .any
    public var yiaddr: IPv4Address = .any
    public var siaddr: IPv4Address = .any
    public var giaddr: IPv4Address = .any
    /// Up to 16 bytes; zero-padded.
    public var chaddr: [UInt8] = []
    public var magicCookie: UInt32 = DHCPv4Layout.magicCookie
    public var options: [RawOption] = []
    /// Leave out the End option (for malformed-input tests).
    public var omitEnd = false
    /// Bytes appended after End (padding or trailing garbage).
    public var trailer: [UInt8] = []

    /// A BOOTREQUEST with option 53 (when `type` is given), `chaddr` = `mac` and `giaddr`.
    public init(type: MessageType?, mac: MACAddress? = nil, giaddr: IPv4Address = .any) {
        if let type { options.append(RawOption(code: 53, payload: [type.rawValue])) }
        if let mac { chaddr = mac.bytes }
        self.giaddr = giaddr
    }

    public mutating func add(_ code: UInt8, _ payload: [UInt8]) {
        options.append(RawOption(code: code, payload: payload))
    }

    public mutating func add(_ code: UInt8, address: IPv4Address) {
        let b = address.bytes
        add(code, [b.0, b.1, b.2, b.3])
    }

    /// Adds option 50.
    public mutating func requestedAddress(_ a: IPv4Address) { add(50, address: a) }

    /// Adds option 54.
    public mutating func serverIdentifier(_ a: IPv4Address) { add(54, address: a) }

    /// Adds option 82 with the given sub-options, in order.
    public mutating func relayAgentInformation(_ subOptions: [(code: UInt8, value: [UInt8])]) {
        add(82, DHCPv4Options.relayAgentInformation(subOptions))
    }

    /// Adds option 82 with circuit (1), remote (2) and subscriber (6) text sub-options as given.
    public mutating func relayAgentInformation(circuit: String? = nil, remote: String? = nil,
                                               subscriber: String? = nil,
                                               extra: [(code: UInt8, value: [UInt8])] = []) {
        var subs: [(code: UInt8, value: [UInt8])] = []
        if let circuit { subs.append((1, Array(circuit.utf8))) }
        if let remote { subs.append((2, Array(remote.utf8))) }
        if let subscriber { subs.append((6, Array(subscriber.utf8))) }
        relayAgentInformation(subs + extra)
    }

    /// The datagram's length.
    public var length: Int {
        DHCPv4Layout.optionsOffset + options.reduce(0) { $0 + 2 + $1.payload.count } + (omitEnd ? 0 : 1) + trailer.count
    }

    /// Writes the datagram at the start of `out` (at least ``length`` bytes) and returns its length.
    public func write(into out: UnsafeMutableRawBufferPointer) -> Int {
        var w = PacketWriter(out)
        write(&w)
        return w.offset
    }

    /// The datagram.
    public var bytes: [UInt8] { PacketWriter.array(capacity: length) { write(&$0) } }

    private func write(_ w: inout PacketWriter) {
        w.bootpHead(op: op, htype: htype, hlen: hlen, hops: hops, xid: xid, secs: secs, flags: flags,
                    ciaddr: ciaddr, yiaddr: yiaddr, siaddr: siaddr, giaddr: giaddr)
        w.bytes(chaddr.prefix(16))
        w.bootpTail(chaddrLength: min(chaddr.count, 16), cookie: magicCookie)
        for o in options { w.dhcpv4Option(o.code, o.payload) }
        if !omitEnd { w.u8(DHCPv4Layout.end) }
        w.bytes(trailer)
    }
}
