import ShadowCore

/// Frames UDP payloads as Ethernet/IPv4/UDP packets in a classic pcap file (link type 1), with a
/// correct IPv4 header checksum and a zero (absent) UDP checksum.
struct PcapWriter {
    private(set) var bytes: [UInt8] = []
    private var packets = 0

    init() {
        append32le(0xA1B2_C3D4)              // magic, microsecond timestamps
        append16le(2); append16le(4)         // version 2.4
        append32le(0); append32le(0)         // thiszone, sigfigs
        append32le(65535)                    // snaplen
        append32le(1)                        // LINKTYPE_ETHERNET
    }

    mutating func add(udpPayload: [UInt8], from source: IPv4Address, sourcePort: UInt16,
                      to destination: IPv4Address, destinationPort: UInt16) {
        let udp = be16(sourcePort) + be16(destinationPort) + be16(UInt16(8 + udpPayload.count)) + [0, 0] + udpPayload
        var ip: [UInt8] = [0x45, 0] + be16(UInt16(20 + udp.count)) + be16(UInt16(packets)) + [0, 0, 64, 17, 0, 0]
        ip += be32(source.value) + be32(destination.value)
        let sum = PcapWriter.checksum(ip)
        ip[10] = UInt8(sum >> 8); ip[11] = UInt8(sum & 0xFF)
        let frame = [0x02, 0, 0, 0, 0, 2] + [0x02, 0, 0, 0, 0, 1] + [0x08, 0x00] + ip + udp
        packets += 1
        append32le(UInt32(1_700_000_000 + packets)); append32le(0)
        append32le(UInt32(frame.count)); append32le(UInt32(frame.count))
        bytes += frame
    }

    /// The Internet checksum (RFC 1071) of `header`.
    static func checksum(_ header: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        for i in stride(from: 0, to: header.count, by: 2) {
            sum += UInt32(header[i]) << 8 | UInt32(i + 1 < header.count ? header[i + 1] : 0)
        }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }

    private func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    private func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    private mutating func append16le(_ v: UInt16) { bytes += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private mutating func append32le(_ v: UInt32) {
        bytes += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
    }
}
