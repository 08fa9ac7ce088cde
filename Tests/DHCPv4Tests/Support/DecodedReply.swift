import DHCPv4
import ShadowCore

/// A reply parsed by a decoder written for the tests, independent of `DHCPv4Message`: every field
/// and every option in wire order (repeated options kept).
struct DecodedReply {
    let bytes: [UInt8]
    var op: UInt8 { bytes[0] }
    var htype: UInt8 { bytes[1] }
    var hlen: UInt8 { bytes[2] }
    var hops: UInt8 { bytes[3] }
    var xid: UInt32 { word(4) }
    var secs: UInt16 { UInt16(bytes[8]) << 8 | UInt16(bytes[9]) }
    var flags: UInt16 { UInt16(bytes[10]) << 8 | UInt16(bytes[11]) }
    var ciaddr: IPv4Address { IPv4Address(word(12)) }
    var yiaddr: IPv4Address { IPv4Address(word(16)) }
    var siaddr: IPv4Address { IPv4Address(word(20)) }
    var giaddr: IPv4Address { IPv4Address(word(24)) }
    var chaddr: [UInt8] { Array(bytes[28..<44]) }
    var snameAndFile: [UInt8] { Array(bytes[44..<236]) }
    var cookie: UInt32 { word(236) }

    /// Options in wire order, End excluded.
    let options: [(code: UInt8, payload: [UInt8])]
    /// Offset of End.
    let endOffset: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var i = 240
        var options: [(code: UInt8, payload: [UInt8])] = []
        while i < bytes.count, bytes[i] != 255 {
            if bytes[i] == 0 { i += 1; continue }
            let length = Int(bytes[i + 1])
            options.append((bytes[i], Array(bytes[(i + 2)..<(i + 2 + length)])))
            i += 2 + length
        }
        self.options = options
        endOffset = i
    }

    private func word(_ at: Int) -> UInt32 {
        bytes[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    var codes: [UInt8] { options.map(\.code) }

    func option(_ code: UInt8) -> [UInt8]? { options.first { $0.code == code }?.payload }

    func address(_ code: UInt8) -> IPv4Address? {
        option(code).flatMap { $0.count == 4 ? IPv4Address(networkBytes: $0) : nil }
    }

    func uint32(_ code: UInt8) -> UInt32? { address(code)?.value }

    var messageType: DHCPv4MessageType? { option(53).flatMap { $0.first }.flatMap(DHCPv4MessageType.init) }

    /// Every address of every option-6 instance, in order.
    var dns: [IPv4Address] {
        options.filter { $0.code == 6 }.flatMap { o in
            stride(from: 0, to: o.payload.count, by: 4).map { IPv4Address(networkBytes: o.payload[$0..<($0 + 4)]) }
        }
    }
}
