import DHCPWireKit
import DHCPv4
import Foundation
import ShadowCore
import Testing

/// Checks the encoder against an independent decoder: Wireshark's DHCP dissector, through tshark.
@Suite("Replies decoded by tshark")
struct TSharkTests {
    static let tshark = "/usr/bin/tshark"

    /// OFFER, ACK, NAK and INFORM-ACK, each with Option 82 (circuit, remote, subscriber).
    static func replies() -> [(name: String, bytes: [UInt8], port: UInt16)] {
        func withRelayInfo(_ p: DHCPv4PacketBuilder) -> DHCPv4PacketBuilder {
            var p = p
            p.relayAgentInformation(circuit: "eth0/1/2:100", remote: "olt-7", subscriber: "sub-42")
            return p
        }
        var discover = World.packet(.discover)
        discover.xid = 0xDEAD_BEEF
        var ack = World.packet(.request)
        ack.serverIdentifier(World.serverID)
        ack.requestedAddress(World.addressA)
        var nak = World.packet(.request)
        nak.requestedAddress(IPv4Address(192, 168, 1, 7))
        var inform = World.packet(.inform)
        inform.ciaddr = World.addressA
        return [("offer", discover), ("ack", ack), ("nak", nak), ("inform-ack", inform)].map { name, p in
            let x = World.exchange(withRelayInfo(p))
            return (name, x.reply?.bytes ?? [], x.outcome.reply?.port ?? 0)
        }
    }

    @Test("OFFER, ACK, NAK and INFORM-ACK dissect cleanly with the expected fields",
          .enabled(if: FileManager.default.isExecutableFile(atPath: TSharkTests.tshark)))
    func dissect() throws {
        let replies = Self.replies()
        #expect(replies.allSatisfy { !$0.bytes.isEmpty && $0.port == 67 })
        var pcap = PcapWriter()
        for r in replies {
            pcap.add(udpPayload: r.bytes, from: World.serverID, sourcePort: 67, to: World.relay, destinationPort: r.port)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dhcpv4-tshark-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("replies.pcap")
        try Data(pcap.bytes).write(to: file)
        let output = try Self.run(["-o", "ip.check_checksum:TRUE", "-r", file.path, "-V"], home: dir)
        #expect(!output.contains("Malformed"))
        #expect(!output.contains("Expert Info (Error"))
        #expect(!output.contains("Bad"))
        for expected in [
            "DHCP Message Type (Offer)", "DHCP Message Type (ACK)", "DHCP Message Type (NAK)",
            "Your (client) IP address: 192.168.1.100", "Transaction ID: 0xdeadbeef",
            "Client IP address: 192.168.1.100", "Relay agent IP address: 192.168.1.254",
            "DHCP Server Identifier (10.0.0.1)", "IP Address Lease Time: (3600s) 1 hour",
            "Subnet Mask (255.255.255.0)", "Router: 192.168.1.1", "Domain Name Server: 8.8.4.4",
            "Agent Circuit ID: 657468302f312f323a313030", "Agent Remote ID: 6f6c742d37",
            "Subscriber ID: sub-42", "[Header checksum status: Good]",
        ] {
            #expect(output.contains(expected), "tshark output lacks \(expected)")
        }
        #expect(output.components(separatedBy: "Option: (82) Agent Information Option").count - 1 == 4)
        #expect(output.components(separatedBy: "Hops: 0").count - 1 == 4)
    }

    /// Runs tshark and returns its standard output; fails on a non-zero exit.
    static func run(_ arguments: [String], home: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tshark)
        process.arguments = arguments
        process.environment = ["HOME": home.path, "PATH": "/usr/bin:/bin"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self)
    }
}
