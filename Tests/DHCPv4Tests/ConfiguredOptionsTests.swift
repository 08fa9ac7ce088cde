import DHCPWireKit
import DHCPv4
import Foundation
import ShadowCore
import Testing

/// Configured options on the wire (docs/dhcpv4.md, "Options"): order, levels, size rule,
/// RFC 3396 splitting, RFC 8925, lease times per level.
@Suite("DHCPv4 configured options")
struct ConfiguredOptionsTests {
    typealias Entry = DHCPOptionSet.Entry

    // Wire payloads as part A's loader produces them.
    static let domainName = Entry(code: 15, payload: Array("example.net".utf8))
    /// RFC 3397 form of "example.net".
    static let domainSearch = Entry(code: 119, payload: [7] + Array("example".utf8) + [3] + Array("net".utf8) + [0])
    static let ntp = Entry(code: 42, payload: [192, 0, 2, 123, 198, 51, 100, 123])
    static let mtu = Entry(code: 26, payload: [0x05, 0xD4])
    /// RFC 3442: 10.0.0.0/8 via 192.168.1.2.
    static let routes = Entry(code: 121, payload: [8, 10, 192, 168, 1, 2])

    static func config(top: [Entry] = [], subnet: [Entry] = [], subnetLease: UInt32? = nil,
                       relays: [IPv4Network] = []) -> ServerConfig {
        var c = World.config()
        c.optionsV4 = DHCPOptionSet(entries: top)
        c.subnetsV4[0].options = DHCPOptionSet(entries: subnet, leaseTime: subnetLease)
        c.subnetsV4[0].relays = relays
        return c
    }

    static func discover(requesting codes: [UInt8], maximumSize: UInt16? = nil) -> DHCPv4PacketBuilder {
        var p = World.packet(.discover)
        p.add(55, codes)
        if let maximumSize { p.add(57, [UInt8(maximumSize >> 8), UInt8(maximumSize & 0xFF)]) }
        p.relayAgentInformation(circuit: "eth0")
        return p
    }

    @Test("Fixed options first, then the requested configured ones in option-55 order, then always_send, 82 last")
    func emissionOrder() throws {
        var always = Self.mtu
        always.alwaysSend = true
        let config = Self.config(top: [Self.domainName, Self.domainSearch, Self.ntp, always, Self.routes,
                                       Entry(code: 66, payload: Array("tftp".utf8))])
        let p = Self.discover(requesting: [1, 3, 121, 6, 15, 42, 119, 121, 200])
        let r = try #require(World.exchange(p, config: config).reply)
        #expect(r.optionCodes == [53, 54, 51, 58, 59, 1, 3, 6, 121, 15, 42, 119, 26, 82])
        #expect(r.option(15) == Array("example.net".utf8))
        #expect(r.option(121) == [8, 10, 192, 168, 1, 2])
        #expect(r.routers == [IPv4Address(192, 168, 1, 1)], "RFC 3442: option 3 is still sent with 121")
    }

    @Test("No option 55: only the always_send ones")
    func noParameterRequestList() throws {
        var always = Self.ntp
        always.alwaysSend = true
        let config = Self.config(top: [Self.domainName, always])
        var p = World.packet(.discover)
        p.relayAgentInformation(circuit: "eth0")
        let r = try #require(World.exchange(p, config: config).reply)
        #expect(r.optionCodes == [53, 54, 51, 58, 59, 1, 3, 6, 42, 82])
    }

    @Test("Levels merge key by key: reservation over subnet over top; the winner's always_send applies")
    func precedence() {
        let top = DHCPOptionSet(entries: [Entry(code: 15, payload: [1], alwaysSend: true),
                                          Entry(code: 26, payload: [0x05, 0xDC], alwaysSend: true),
                                          Entry(code: 42, payload: [9, 9, 9, 9])], leaseTime: nil)
        let subnet = DHCPOptionSet(entries: [Entry(code: 15, payload: [2]), Entry(code: 66, payload: [6])],
                                   leaseTime: 7200)
        let reservation = DHCPOptionSet(entries: [Entry(code: 42, payload: [1, 1, 1, 1], alwaysSend: true),
                                                  Entry(code: 66, payload: [7])], leaseTime: 86400)
        let levels = DHCPOptionLevels(top: top, subnet: subnet, reservation: reservation)
        #expect(levels.merged.entries == [Entry(code: 15, payload: [2]),
                                          Entry(code: 26, payload: [0x05, 0xDC], alwaysSend: true),
                                          Entry(code: 42, payload: [1, 1, 1, 1], alwaysSend: true),
                                          Entry(code: 66, payload: [7])])
        #expect(levels.leaseTime == 86400)
        #expect(DHCPOptionLevels(top: top, subnet: subnet).leaseTime == 7200)
        #expect(DHCPOptionLevels(top: top).leaseTime == nil)
        #expect(levels.winner(code: 15)?.alwaysSend == false)
        #expect(levels.winner(code: 99) == nil)
    }

    @Test("A subnet's options win over the top level's in the reply; its always_send=false silences the top's")
    func subnetOverTop() throws {
        let config = Self.config(top: [Entry(code: 15, payload: Array("top.example".utf8), alwaysSend: true), Self.mtu],
                                 subnet: [Entry(code: 15, payload: Array("subnet.example".utf8))])
        let unasked = try #require(World.exchange(Self.discover(requesting: [1, 3]), config: config).reply)
        #expect(unasked.option(15) == nil)
        let asked = try #require(World.exchange(Self.discover(requesting: [15, 26]), config: config).reply)
        #expect(asked.option(15) == Array("subnet.example".utf8))
        #expect(asked.option(26) == [0x05, 0xD4])
        // Another subnet (reservation C, 10.10.0.0/16) gets the top level's.
        var p = Self.discover(requesting: [15])
        p.chaddr = World.macC.bytes
        let other = try #require(World.exchange(p, config: config).reply)
        #expect(other.option(15) == Array("top.example".utf8))
    }

    @Test("A reservation's own options and lease time win over its subnet's and the top level's (part A's snapshot)")
    func reservationLevel() throws {
        var own = World.reservation(World.addressA, mac: World.macA)
        own.optionsV4 = DHCPOptionSet(entries: [Entry(code: 15, payload: Array("own.example".utf8)),
                                                Entry(code: 42, payload: [203, 0, 113, 123], alwaysSend: true)],
                                      leaseTime: 600)
        let snapshot = ReservationSnapshot(reservations: [own])
        let config = Self.config(top: [Self.domainName, Self.mtu], subnet: [Entry(code: 15, payload: Array("subnet.example".utf8))],
                                 subnetLease: 86400)
        let r = try #require(World.exchange(Self.discover(requesting: [15, 26]), config: config, snapshot: snapshot).reply)
        #expect(r.option(15) == Array("own.example".utf8))
        #expect(r.option(26) == [0x05, 0xD4])
        #expect(r.option(42) == [203, 0, 113, 123], "the reservation's always_send")
        #expect([r.leaseTime, r.renewalTime, r.rebindingTime] == [600, 300, 525])
    }

    @Test("routers and dns_servers at a level replace the gateway and dns_v4")
    func routersAndDNS() throws {
        let routers: [UInt8] = [192, 168, 1, 2, 192, 168, 1, 3]
        let dns: [UInt8] = [198, 51, 100, 53]
        let config = Self.config(subnet: [Entry(code: 3, payload: routers), Entry(code: 6, payload: dns)])
        let r = try #require(World.exchange(Self.discover(requesting: []), config: config).reply)
        #expect(r.optionCodes == [53, 54, 51, 58, 59, 1, 3, 6, 82])
        #expect(r.option(3) == routers)
        #expect(r.option(6) == dns)
    }

    @Test("A subnet's v4_lease_time sets 51, and 58 and 59 derive from it")
    func subnetLeaseTime() throws {
        let config = Self.config(subnetLease: 86400)
        let r = try #require(World.exchange(Self.discover(requesting: [1]), config: config).reply)
        #expect([r.leaseTime, r.renewalTime, r.rebindingTime] == [86400, 43200, 75600])
        var p = Self.discover(requesting: [1])
        p.chaddr = World.macC.bytes  // the other subnet keeps the top-level lease time
        let other = try #require(World.exchange(p, config: config).reply)
        #expect(other.leaseTime == 3600)
    }

    @Test("Without option 57 the reply keeps to 576 bytes: the last requested options are left out and counted")
    func sizeRuleDefault() throws {
        let big = (0..<4).map { Entry(code: UInt16(224 + $0), payload: [UInt8](repeating: UInt8($0), count: 120)) }
        let config = Self.config(top: big + [Self.mtu])
        let x = World.exchange(Self.discover(requesting: [26, 224, 225, 226, 227]), config: config)
        let r = try #require(x.reply)
        // 240 header + 3+6+6+6+6+6+6+10 fixed = 289; 82 (8) and End (1) → 250 bytes left of 548:
        // 26 (4) and two of 122 fit; 226 and 227 do not.
        #expect(r.optionCodes == [53, 54, 51, 58, 59, 1, 3, 6, 26, 224, 225, 82])
        #expect(x.outcome.optionsOmittedForSize == 2)
        #expect(r.bytes.count <= 548)
    }

    @Test("Option 57 raises the limit; a value under 576 counts as 576; the buffer still bounds it")
    func sizeRuleMaximumMessageSize() throws {
        let big = (0..<4).map { Entry(code: UInt16(224 + $0), payload: [UInt8](repeating: 1, count: 120)) }
        let config = Self.config(top: big)
        let codes: [UInt8] = [224, 225, 226, 227]
        let large = World.exchange(Self.discover(requesting: codes, maximumSize: 1500), config: config)
        #expect(large.outcome.optionsOmittedForSize == 0)
        #expect(try #require(large.reply).optionCodes.suffix(5) == [224, 225, 226, 227, 82])
        let small = World.exchange(Self.discover(requesting: codes, maximumSize: 300), config: config)
        #expect(small.outcome.optionsOmittedForSize == 2)
        let buffer = World.exchange(Self.discover(requesting: codes, maximumSize: 1500), config: config,
                                    bufferSize: 576)
        #expect(buffer.outcome.optionsOmittedForSize == 2)
        #expect(try #require(buffer.reply).bytes.count <= 576)
    }

    @Test("A value longer than 255 bytes is split into consecutive instances (RFC 3396)")
    func rfc3396Split() throws {
        let value = (0..<600).map { UInt8($0 % 251) }
        let config = Self.config(top: [Entry(code: 43, payload: value)])
        let r = try #require(World.exchange(Self.discover(requesting: [43], maximumSize: 1500), config: config).reply)
        let parts = r.options.filter { $0.code == 43 }
        #expect(parts.map(\.payload.count) == [255, 255, 90])
        #expect(parts.flatMap(\.payload) == value)
        let codes = r.optionCodes
        #expect(codes.firstIndex(of: 43).map { Array(codes[$0...($0 + 2)]) } == [43, 43, 43], "instances are consecutive")
    }

    @Test("Configured routers longer than 255 bytes split on whole addresses")
    func routersSplit() throws {
        let routers = (0..<70).flatMap { [192, 168, 1, UInt8($0)] as [UInt8] }
        let config = Self.config(subnet: [Entry(code: 3, payload: routers)])
        let r = try #require(World.exchange(Self.discover(requesting: [], maximumSize: 1500), config: config).reply)
        #expect(r.options.filter { $0.code == 3 }.map(\.payload.count) == [252, 28])
    }

    @Test("RFC 8925: a client listing 108 gets an OFFER with yiaddr 0 and 53, 54, 108, 82 only")
    func v6OnlyPreferred() throws {
        let wait = Entry(code: 108, payload: [0, 0, 0x07, 0x08], alwaysSend: true)
        let config = Self.config(top: [wait, Self.domainName])
        let x = World.exchange(Self.discover(requesting: [1, 3, 6, 15, 108]), config: config)
        let r = try #require(x.reply)
        #expect(r.yiaddr == .any)
        #expect(r.optionCodes == [53, 54, 108, 82])
        #expect(r.option(108) == [0, 0, 0x07, 0x08])
        #expect(x.outcome.v6OnlyPreferred)

        var request = World.packet(.request)
        request.serverIdentifier(World.serverID)
        request.requestedAddress(World.addressA)
        request.add(55, [1, 108])
        let ack = World.exchange(request, config: config)
        #expect(try #require(ack.reply).yiaddr == .any)
        #expect(ack.reply?.optionCodes == [53, 54, 108])
        #expect(ack.outcome.v6OnlyPreferred)

        // Not listed: never sent (always_send does not apply to 108), an ordinary OFFER.
        let plain = try #require(World.exchange(Self.discover(requesting: [1, 15]), config: config).reply)
        #expect(plain.yiaddr == World.addressA)
        #expect(!plain.optionCodes.contains(108))
    }

    @Test("INFORM-ACK carries the requested configured options, no lease times")
    func inform() throws {
        let config = Self.config(top: [Self.domainName, Self.ntp])
        var p = World.packet(.inform)
        p.ciaddr = World.addressA
        p.add(55, [42, 15])
        let r = try #require(World.exchange(p, config: config).reply)
        #expect(r.optionCodes == [53, 54, 1, 3, 6, 42, 15])
    }

    @Test("A NAK carries no configured option")
    func nak() throws {
        let config = Self.config(top: [Entry(code: 15, payload: [1], alwaysSend: true)])
        var p = World.packet(.request)
        p.requestedAddress(IPv4Address(192, 168, 1, 7))
        p.add(55, [15])
        let r = try #require(World.exchange(p, config: config).reply)
        #expect(r.optionCodes == [53, 54])
    }

    @Test("Replies with configured options dissect cleanly in tshark",
          .enabled(if: FileManager.default.isExecutableFile(atPath: TSharkTests.tshark)))
    func tshark() throws {
        let config = Self.config(top: [Self.domainName, Self.domainSearch, Self.ntp, Self.mtu, Self.routes,
                                       Entry(code: 249, payload: [8, 10, 192, 168, 1, 2]),
                                       Entry(code: 2, payload: [0, 0, 0x0E, 0x10]),
                                       Entry(code: 66, payload: Array("192.0.2.69".utf8)),
                                       Entry(code: 67, payload: Array("boot.cfg".utf8)),
                                       Entry(code: 43, payload: [1, 4, 0xDE, 0xAD, 0xBE, 0xEF]),
                                       Entry(code: 125, payload: [0, 0, 0x0D, 0xE9, 6, 1, 4, 0xDE, 0xAD, 0xBE, 0xEF])])
        let codes: [UInt8] = [1, 3, 6, 15, 119, 42, 26, 121, 249, 2, 66, 67, 43, 125]
        var pcap = PcapWriter()
        var v6only = Self.discover(requesting: [108])
        v6only.xid = 7
        var configured = config
        configured.optionsV4 = DHCPOptionSet(entries: config.optionsV4.entries + [Entry(code: 108, payload: [0, 0, 7, 8])])
        for (packet, c) in [(Self.discover(requesting: codes, maximumSize: 1500), config), (v6only, configured)] {
            let r = try #require(World.exchange(packet, config: c).reply)
            pcap.add(udpPayload: r.bytes, from: World.serverID, sourcePort: 67, to: World.relay, destinationPort: 67)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dhcpv4-options-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("replies.pcap")
        try Data(pcap.bytes).write(to: file)
        let output = try TSharkTests.run(["-r", file.path, "-V"], home: dir)
        #expect(!output.contains("Malformed"))
        #expect(!output.contains("Expert Info (Error"))
        for expected in ["Domain Name: example.net", "Interface MTU: 1492", "Network Time Protocol Servers",
                         "192.0.2.123", "10.0.0.0/8-192.168.1.2", "Domain Search", "example.net",
                         "IPv6-Only Preferred", "Option: (108)"] {
            #expect(output.contains(expected), "tshark output lacks \(expected)")
        }
    }
}
