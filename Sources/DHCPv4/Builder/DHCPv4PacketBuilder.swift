import ShadowCore

/// Builds DHCPv4 client and relay datagrams byte by byte, including malformed ones.
///
/// For tests, the fuzzer's seed corpus and the benchmark; the server path never uses it (it
/// allocates). Options are written in the order added, each as given (no splitting), then End
/// unless `omitEnd` is set.
public struct DHCPv4PacketBuilder: Sendable, Hashable {
    /// One option as it goes on the wire.
    public struct RawOption: Sendable, Hashable {
        public var code: UInt8
        public var payload: [UInt8]
        public init(code: UInt8, payload: [UInt8]) {
            self.code = code
            self.payload = payload
        }
    }

    public var op: UInt8 = BOOTP.request
    public var htype: UInt8 = BOOTP.htypeEthernet
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
    public var magicCookie: UInt32 = BOOTP.magicCookie
    public var options: [RawOption] = []
    /// Leave out the End option (for malformed-input tests).
    public var omitEnd = false
    /// Bytes appended after End (padding or trailing garbage).
    public var trailer: [UInt8] = []

    /// A BOOTREQUEST with option 53 (when `type` is given), `chaddr` = `mac` and `giaddr`.
    public init(type: DHCPv4MessageType?, mac: MACAddress? = nil, giaddr: IPv4Address = .any) {
        if let type { options.append(RawOption(code: DHCPv4Option.messageType, payload: [type.rawValue])) }
        if let mac { chaddr = mac.bytes }
        self.giaddr = giaddr
    }

    public mutating func add(_ code: UInt8, _ payload: [UInt8]) {
        options.append(RawOption(code: code, payload: payload))
    }

    public mutating func add(_ code: UInt8, address: IPv4Address) {
        add(code, DHCPv4PacketBuilder.bytes(address))
    }

    /// Adds option 50.
    public mutating func requestedAddress(_ a: IPv4Address) { add(DHCPv4Option.requestedIPAddress, address: a) }

    /// Adds option 54.
    public mutating func serverIdentifier(_ a: IPv4Address) { add(DHCPv4Option.serverIdentifier, address: a) }

    /// Adds option 82 with the given sub-options, in order.
    public mutating func relayAgentInformation(_ subOptions: [(code: UInt8, value: [UInt8])]) {
        var payload: [UInt8] = []
        for s in subOptions {
            payload.append(s.code)
            payload.append(UInt8(truncatingIfNeeded: s.value.count))
            payload += s.value
        }
        add(DHCPv4Option.relayAgentInformation, payload)
    }

    /// Adds option 82 with circuit (1), remote (2) and subscriber (6) text sub-options as given.
    public mutating func relayAgentInformation(circuit: String? = nil, remote: String? = nil,
                                               subscriber: String? = nil,
                                               extra: [(code: UInt8, value: [UInt8])] = []) {
        var subs: [(code: UInt8, value: [UInt8])] = []
        if let circuit { subs.append((RelayAgentSubOption.circuitID, Array(circuit.utf8))) }
        if let remote { subs.append((RelayAgentSubOption.remoteID, Array(remote.utf8))) }
        if let subscriber { subs.append((RelayAgentSubOption.subscriberID, Array(subscriber.utf8))) }
        relayAgentInformation(subs + extra)
    }

    /// The datagram.
    public var bytes: [UInt8] {
        var out: [UInt8] = [op, htype, hlen, hops]
        out.reserveCapacity(300)
        DHCPv4PacketBuilder.append(xid, to: &out)
        out += [UInt8(secs >> 8), UInt8(secs & 0xFF), UInt8(flags >> 8), UInt8(flags & 0xFF)]
        for a in [ciaddr, yiaddr, siaddr, giaddr] { out += DHCPv4PacketBuilder.bytes(a) }
        out += chaddr.prefix(16)
        out += [UInt8](repeating: 0, count: 16 - min(chaddr.count, 16) + 64 + 128)
        DHCPv4PacketBuilder.append(magicCookie, to: &out)
        for o in options {
            out.append(o.code)
            out.append(UInt8(truncatingIfNeeded: o.payload.count))
            out += o.payload
        }
        if !omitEnd { out.append(DHCPv4Option.end) }
        return out + trailer
    }

    static func bytes(_ a: IPv4Address) -> [UInt8] {
        let b = a.bytes
        return [b.0, b.1, b.2, b.3]
    }

    static func append(_ v: UInt32, to out: inout [UInt8]) {
        out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
}
