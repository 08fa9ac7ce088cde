import DHCPWireKit
import Foundation
import Testing
import ShadowCore
@testable import DHCPv6

/// Checks the encoder against an independent decoder: replies are framed as Ethernet/IPv6/UDP in a
/// pcap file and dissected by `tshark -V`.
@Suite struct TsharkTests {
    static let tshark = "/usr/bin/tshark"

    /// A classic pcap file (Ethernet link type) holding one frame per payload.
    static func pcap(_ payloads: [[UInt8]], source: IPv6Address, destination: IPv6Address) -> [UInt8] {
        var out: [UInt8] = []
        func le32(_ v: UInt32) { out += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
        func le16(_ v: UInt16) { out += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        le32(0xa1b2_c3d4); le16(2); le16(4); le32(0); le32(0); le32(65535); le32(1)
        for (i, payload) in payloads.enumerated() {
            let frame = ethernet(ipv6UDP(payload, source: source, destination: destination))
            le32(1_700_000_000 + UInt32(i)); le32(0); le32(UInt32(frame.count)); le32(UInt32(frame.count))
            out += frame
        }
        return out
    }

    static func ethernet(_ ip: [UInt8]) -> [UInt8] {
        [0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x86, 0xdd] + ip
    }

    static func ipv6UDP(_ payload: [UInt8], source: IPv6Address, destination: IPv6Address) -> [UInt8] {
        let udpLength = UInt16(8 + payload.count)
        var udp = Packet.be16(547) + Packet.be16(547) + Packet.be16(udpLength) + [0, 0] + payload
        let checksum = udpChecksum(udp, source: source, destination: destination)
        udp[6] = UInt8(checksum >> 8); udp[7] = UInt8(checksum & 0xFF)
        return [0x60, 0, 0, 0] + Packet.be16(udpLength) + [17, 64] + source.bytes + destination.bytes + udp
    }

    /// RFC 8200 §8.1: one's-complement sum over the pseudo-header and the UDP datagram; 0 sent as 0xffff.
    static func udpChecksum(_ udp: [UInt8], source: IPv6Address, destination: IPv6Address) -> UInt16 {
        let pseudo = source.bytes + destination.bytes + Packet.be32(UInt32(udp.count)) + [0, 0, 0, 17]
        var data = pseudo + udp
        if data.count % 2 == 1 { data.append(0) }
        var sum: UInt32 = 0
        for i in stride(from: 0, to: data.count, by: 2) { sum += UInt32(data[i]) << 8 | UInt32(data[i + 1]) }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        let c = ~UInt16(sum)
        return c == 0 ? 0xFFFF : c
    }

    /// Well-formed DUIDs (tshark flags the upstream test's 4-byte `00:01:02:03` as a malformed DUID-LLT).
    static let serverDUID = "00:03:00:01:02:00:5e:00:00:01"
    static let clientDUID = "00:03:00:01:00:11:22:33:44:66"

    static func replies() -> [[UInt8]] {
        var f = Fixture()
        f.ids.v6 = DUID(serverDUID)!
        f.reservations[0].duid = DUID(clientDUID)
        let cid = Packet.clientID(clientDUID), sid = Packet.serverID(serverDUID)
        let advertise = f.run(Packet.relay(Packet.client(.solicit, cid, Packet.oro(23), Packet.iaNA(1), Packet.iaPD(2)),
                                           extra: [Packet.interfaceID("eth0/1")])).bytes
        let reply = f.run(Packet.relay(Packet.client(.request, cid, sid, Packet.iaNA(1), Packet.iaPD(2)))).bytes
        let twoLevel = f.run(Packet.relay(
            Packet.relay(Packet.client(.renew, cid, sid, Packet.iaNA(1, Packet.iaAddress("2001:db8::dead")), Packet.iaPD(2)),
                         link: "2001:db8:a::1", peer: "fe80::1", extra: [Packet.interfaceID([0, 0, 0, 0x0c])]),
            hop: 1, link: "2001:db8:b::1", peer: "2001:db8:a::1", extra: [Packet.interfaceID("outer-if")])).bytes
        f.reservations = []
        let noBinding = f.run(Packet.relay(Packet.client(.renew, Packet.clientID("00:03:00:01:00:00:00:00:de:ad"), sid,
                                                         Packet.iaNA(1, Packet.iaAddress("2001:db8::1234", preferred: 1, valid: 2)),
                                                         Packet.iaPD(2, Packet.iaPrefix("2001:db8:abcd::/56"))))).bytes
        return [advertise, reply, noBinding, twoLevel]
    }

    /// `tshark -V` of `payloads` framed as UDP 547 → 547.
    static func dissect(_ payloads: [[UInt8]]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dhcpv6-tshark-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("replies.pcap")
        try Data(Self.pcap(payloads, source: IPv6Address("2001:db8::547")!, destination: Fixture.relayAddress)).write(to: file)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.tshark)
        process.arguments = ["-n", "-r", file.path, "-V", "-o", "udp.check_checksum:TRUE"]
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = dir.path
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0)
        return text
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: tshark)))
    func tsharkDissectsRepliesCleanly() throws {
        let replies = Self.replies()
        #expect(replies.allSatisfy { !$0.isEmpty })
        let text = try Self.dissect(replies)
        #expect(!text.contains("Malformed"))
        #expect(!text.contains("Expert Info (Error"))
        #expect(!text.contains("[Checksum Status: Bad]"))
        #expect(text.components(separatedBy: "Frame ").count - 1 >= 4)
        #expect(text.contains("Message type: Advertise (2)"))
        #expect(text.contains("Message type: Reply (7)"))
        #expect(text.contains("Message type: Relay-reply (13)"))
        #expect(text.contains("Identity Association for Non-temporary Address"))
        #expect(text.contains("IPv6 address: 2001:db8::1"))
        #expect(text.contains("Prefix address: 2001:db8:100::"))
        #expect(text.contains("Interface-ID"))
        #expect(text.contains("outer-if") || text.contains("6f757465722d6966"))
        #expect(text.contains("NoBinding"))
        #expect(text.contains("2001:4860:4860::8888"))
    }
}
