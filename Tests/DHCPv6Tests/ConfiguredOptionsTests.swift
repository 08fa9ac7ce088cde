import DHCPWireKit
import Foundation
import ShadowCore
import Testing
@testable import DHCPv6

/// Configured options, `subnets_v6`, lease times per level and relay consistency on the wire
/// (docs/dhcpv6.md, "Options", "Relay consistency").
@Suite("DHCPv6 configured options")
struct ConfiguredOptionsV6Tests {
    typealias Entry = DHCPOptionSet.Entry

    /// RFC 1035 form of "example.net" (option 24).
    static let domainList = Entry(code: 24, payload: [7] + Array("example".utf8) + [3] + Array("net".utf8) + [0])
    /// RFC 5908: one NTP_SUBOPTION_SRV_ADDR (1) with 2001:db8::123.
    static let ntp = Entry(code: 56, payload: [0, 1, 0, 16] + IPv6Address("2001:db8::123")!.bytes)
    static let solMaxRT = Entry(code: 82, payload: [0, 0, 0x0E, 0x10])
    static let vendor = Entry(code: 17, payload: [0, 0, 0x0D, 0xE9, 0, 1, 0, 2, 0xAB, 0xCD])
    static let refresh = Entry(code: 32, payload: [0, 0, 0x54, 0x60])

    static func fixture(top: [Entry] = [], subnets: [SubnetV6] = []) -> Fixture {
        var f = Fixture()
        f.config.optionsV6 = DHCPOptionSet(entries: top)
        f.config.subnetsV6 = subnets
        return f
    }

    static func solicit(_ oro: [UInt16]) -> [UInt8] {
        Packet.client(.solicit, Packet.clientID(Fixture.clientDUID), Packet.oro(oro), Packet.iaNA(1), Packet.iaPD(2))
    }

    static func parse(_ bytes: [UInt8]) throws -> DHCPv6Reply { try #require(DHCPv6Reply(bytes)) }

    @Test("Advertise: the configured options the ORO lists, in ascending code order; 32 only for Information-request")
    func requested() throws {
        let f = Self.fixture(top: [Self.domainList, Self.ntp, Self.solMaxRT, Self.vendor, Self.refresh])
        let r = try Self.parse(f.run(Packet.relay(Self.solicit([82, 56, 24, 23, 32]))).bytes)
        #expect(r.type == DHCPv6Reply.advertise)
        #expect(r.optionCodes == [1, 2, 3, 7, 23, 24, 25, 56, 82])
        #expect(r.first(24)?.payload == Self.domainList.payload)
        #expect(r.first(56)?.payload == Self.ntp.payload)
        #expect(r.first(82)?.payload == [0, 0, 0x0E, 0x10])
    }

    @Test("always_send options go without being asked; the Reply to Request carries them too")
    func alwaysSend() throws {
        var vendor = Self.vendor
        vendor.alwaysSend = true
        let f = Self.fixture(top: [vendor, Self.ntp])
        let request = Packet.client(.request, Packet.clientID(Fixture.clientDUID), Packet.serverID(Fixture.serverDUID),
                                    Packet.iaNA(1), Packet.iaPD(2))
        let r = try Self.parse(f.run(Packet.relay(request)).bytes)
        #expect(r.optionCodes == [1, 2, 3, 17, 23, 25])
        #expect(r.first(17)?.payload == Self.vendor.payload)
    }

    @Test("Information-request: requested options and information_refresh_time (32)")
    func informationRequest() throws {
        let f = Self.fixture(top: [Self.domainList, Self.refresh, Self.solMaxRT])
        let m = Packet.client(.informationRequest, Packet.clientID(Fixture.clientDUID), Packet.oro(32, 24, 23))
        let r = try Self.parse(f.run(Packet.relay(m)).bytes)
        #expect(r.optionCodes == [1, 2, 23, 24, 32])
        #expect(r.first(32)?.payload == [0, 0, 0x54, 0x60])
    }

    @Test("dns_servers at a level replaces dns_v6, under the same ORO rule")
    func dnsServers() throws {
        let servers = IPv6Address("2001:db8::53")!.bytes + IPv6Address("2001:db8::54")!.bytes
        let f = Self.fixture(top: [Entry(code: 23, payload: servers)])
        let r = try Self.parse(f.run(Packet.relay(Self.solicit([23]))).bytes)
        #expect(r.dns == [IPv6Address("2001:db8::53")!, IPv6Address("2001:db8::54")!])
        let unasked = try Self.parse(f.run(Packet.relay(Self.solicit([24]))).bytes)
        #expect(unasked.first(23) == nil)
    }

    @Test("subnets_v6: the closest relay's link-address picks the entry (the first containing one); :: looks further out")
    func subnetByLinkAddress() throws {
        let near = SubnetV6(link: IPv6Prefix("2001:db8:1::/64")!,
                            options: DHCPOptionSet(entries: [Entry(code: 24, payload: [1, 0x61, 0])]))
        let wide = SubnetV6(link: IPv6Prefix("2001:db8::/32")!,
                            options: DHCPOptionSet(entries: [Entry(code: 24, payload: [1, 0x62, 0])]))
        let f = Self.fixture(top: [Self.domainList], subnets: [near, wide])
        func domain(_ datagram: [UInt8]) throws -> [UInt8]? { try Self.parse(f.run(datagram).bytes).first(24)?.payload }
        #expect(try domain(Packet.relay(Self.solicit([24]), link: "2001:db8:1::1")) == [1, 0x61, 0])
        #expect(try domain(Packet.relay(Self.solicit([24]), link: "2001:db8:2::1")) == [1, 0x62, 0])
        #expect(try domain(Packet.relay(Self.solicit([24]), link: "2001:db9::1")) == Self.domainList.payload)
        // Two relays: the inner (closest to the client) decides, not the outer.
        let nested = Packet.relay(Packet.relay(Self.solicit([24]), link: "2001:db8:1::1", peer: "fe80::1"),
                                  hop: 1, link: "2001:db9::1", peer: "2001:db8:1::1")
        #expect(try domain(nested) == [1, 0x61, 0])
        // A lightweight relay (RFC 6221) sends ::, so the next link-address out decides.
        let ldra = Packet.relay(Packet.relay(Self.solicit([24]), link: "::", peer: "fe80::1"),
                                hop: 1, link: "2001:db8:1::1", peer: "fe80::2")
        #expect(try domain(ldra) == [1, 0x61, 0])
    }

    @Test("v6_lease_time of the subnet, then of the reservation level, sets the IA lifetimes")
    func leaseTimes() throws {
        let subnet = SubnetV6(link: IPv6Prefix("2001:db8:1::/64")!, options: DHCPOptionSet(entries: [], leaseTime: 7200))
        let f = Self.fixture(subnets: [subnet])
        let r = try Self.parse(f.run(Packet.relay(Self.solicit([]), link: "2001:db8:1::1")).bytes)
        let na = try #require(r.iaNA.first), pd = try #require(r.iaPD.first)
        #expect(na.leases.first?.valid == 7200 && na.leases.first?.preferred == 3600)
        #expect(pd.leases.first?.valid == 7200 && pd.leases.first?.preferred == 3600)
        #expect(na.t1 == 1800 && na.t2 == 2880)
        let top = try Self.parse(f.run(Packet.relay(Self.solicit([]), link: "2001:db9::1")).bytes)
        #expect(top.iaNA.first?.leases.first?.valid == LeaseTimes().v6Valid)
    }

    @Test("A reservation's own options_v6 and v6_lease_time win (part A's snapshot)")
    func reservationLevel() throws {
        var f = Self.fixture(top: [Self.domainList, Self.solMaxRT])
        f.reservations[0].optionsV6 = DHCPOptionSet(entries: [Entry(code: 24, payload: [3] + Array("own".utf8) + [0])],
                                                    leaseTime: 1000)
        let r = try Self.parse(f.run(Packet.relay(Self.solicit([24, 82]))).bytes)
        #expect(r.first(24)?.payload == [3] + Array("own".utf8) + [0])
        #expect(r.first(82)?.payload == [0, 0, 0x0E, 0x10])
        #expect(r.iaNA.first?.leases.first?.valid == 1000 && r.iaNA.first?.leases.first?.preferred == 500)
    }

    @Test("A table of more than 64 options and codes above 255: asked for and always_send ones, ascending, once each")
    func manyOptions() throws {
        // Positions 64 and beyond are decided by the Option Request Option itself, not the per-reply bits.
        var entries = (100..<170).map { Entry(code: UInt16($0), payload: [UInt8($0)]) }
        entries[65].alwaysSend = true                                    // 165: position 65
        entries[1].alwaysSend = true                                     // 101: position 1
        entries.append(Entry(code: 300, payload: [1, 2]))                // position 70
        entries.append(Entry(code: 301, payload: [3]))
        let f = Self.fixture(top: entries)
        let r = try Self.parse(f.run(Packet.relay(Self.solicit([300, 167, 120, 120, 169, 999]))).bytes)
        #expect(r.optionCodes == [1, 2, 3, 7, 25, 101, 120, 165, 167, 169, 300])
        #expect(r.first(300)?.payload == [1, 2])
        #expect(r.first(167)?.payload == [167])
        #expect(r.first(165)?.payload == [165])
    }

    @Test("Relay consistency: the reservation's subnets_v6 entry lists relays the client's link-address must lie in")
    func relays() throws {
        // The reservation's ipv6_na 2001:db8::1 lies in 2001:db8::/64; its clients come through BNG A.
        let home = SubnetV6(link: IPv6Prefix("2001:db8::/64")!, relays: [IPv6Prefix("2001:db8:a::/48")!])
        let f = Self.fixture(subnets: [home])
        #expect(f.run(Packet.relay(Self.solicit([]), link: "2001:db8:a:1::1")).outcome.isReply)
        let moved = f.run(Packet.relay(Self.solicit([]), link: "2001:db8:b:1::1")).outcome
        #expect(moved.reason == .relayNotAllowedForSubnet)
        #expect(moved.relayMismatch == DHCPv6RelayMismatch(relay: IPv6Address("2001:db8:b:1::1")!,
                                                           subnet: IPv6Prefix("2001:db8::/64")!,
                                                           reservedNA: Fixture.reservedNA, reservedPD: Fixture.reservedPD))
        #expect(moved.event.reservation == nil, "a silence names no reservation in the event")
        #expect(moved.mostSevereLogLevel == .warn)
        let fields = Dictionary(uniqueKeysWithValues: (moved.logLines.first?.fields ?? []).map { ($0.key, $0.value) })
        #expect(fields["reservation_na"] == "2001:db8::1")
        #expect(fields["relay_link_address"] == "2001:db8:b:1::1")
        #expect(fields["subnet"] == "2001:db8::/64")
        // Renew is checked as well; Information-request (no reservation) is not.
        let renew = Packet.client(.renew, Packet.clientID(Fixture.clientDUID), Packet.serverID(Fixture.serverDUID),
                                  Packet.iaNA(1))
        #expect(f.run(Packet.relay(renew, link: "2001:db8:b:1::1")).outcome.reason == .relayNotAllowedForSubnet)
        let info = Packet.client(.informationRequest, Packet.clientID(Fixture.clientDUID))
        #expect(f.run(Packet.relay(info, link: "2001:db8:b:1::1")).outcome.isReply)
    }

    @Test("Replies with configured options dissect cleanly in tshark",
          .enabled(if: FileManager.default.isExecutableFile(atPath: TsharkTests.tshark)))
    func tshark() throws {
        var f = Self.fixture(top: [Self.domainList, Self.ntp, Self.solMaxRT, Self.vendor, Self.refresh,
                                   Entry(code: 31, payload: IPv6Address("2001:db8::124")!.bytes),
                                   Entry(code: 83, payload: [0, 0, 0x0E, 0x10]),
                                   Entry(code: 64, payload: [4] + Array("aftr".utf8) + [7] + Array("example".utf8) + [0])])
        f.ids.v6 = DUID(TsharkTests.serverDUID)!
        f.reservations[0].duid = DUID(TsharkTests.clientDUID)
        let cid = Packet.clientID(TsharkTests.clientDUID)
        let codes: [UInt16] = [23, 24, 17, 31, 32, 56, 64, 82, 83]
        let advertise = f.run(Packet.relay(Packet.client(.solicit, cid, Packet.oro(codes), Packet.iaNA(1), Packet.iaPD(2)))).bytes
        let info = f.run(Packet.relay(Packet.client(.informationRequest, cid, Packet.oro(codes)))).bytes
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dhcpv6-options-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("replies.pcap")
        try Data(TsharkTests.pcap([advertise, info], source: IPv6Address("2001:db8::547")!,
                                  destination: Fixture.relayAddress)).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TsharkTests.tshark)
        process.arguments = ["-n", "-r", file.path, "-V"]
        process.environment = ["HOME": dir.path, "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(!text.contains("Malformed"))
        #expect(!text.contains("Expert Info (Error"))
        for expected in ["Domain Search List", "example.net", "NTP Server", "2001:db8::123", "SOL_MAX_RT",
                         "INF_MAX_RT", "Option: Lifetime (32)", "Vendor-specific Information", "aftr.example"] {
            #expect(text.contains(expected), "tshark output lacks \(expected)")
        }
    }
}
