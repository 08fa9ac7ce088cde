import DHCPWireKit
import DHCPv4
import Foundation
import ShadowCore
import Testing

/// DHCPv4 leasequery (RFC 4388, RFC 6926): queries decoded, answered and encoded against the
/// RFCs' message formats, over `World`'s reservations.
@Suite("Leasequery")
struct LeasequeryTests {
    static let now: UInt32 = 1_700_000_000
    static let responder = LeasequeryResponder(serverIdentifier: World.serverID, leaseTime: 3600)
    /// A below; C (10.10.1.50) behind remote-id "fallback-remote"; the reservation at .201 keyed by
    /// circuit + remote "olt-7"; B (remote "switch1:port1") keyed by Option 82 only.
    static let index = LeasequeryIndex(World.snapshot, bulk: true)

    /// Served times, indexed like `World.snapshot`: A 100 s ago, B never, C 4000 s ago (beyond
    /// the 3600 s lease), D 10 s ago, E 20 s ago.
    static func state(_ times: [UInt32] = [now - 100, 0, now - 4000, now - 10, now - 20],
                      bindings: BindingTable = BindingTable()) -> (LeasequeryState, [UInt32]) {
        let buffer = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: times.count)
        _ = buffer.initialize(from: times)
        return (LeasequeryState(snapshot: World.snapshot, index: index, lastServed: UnsafeBufferPointer(buffer),
                                bindings: bindings), times)
    }

    /// A DHCPLEASEQUERY (or with `bulk` a DHCPBULKLEASEQUERY) from the relay, no chaddr.
    static func query(bulk: Bool = false, xid: UInt32 = 0x0102_0304) -> DHCPv4PacketBuilder {
        var p = DHCPv4PacketBuilder(type: nil, giaddr: World.relay)
        p.add(53, [bulk ? 14 : 10])
        p.hlen = 0
        p.htype = 0
        p.xid = xid
        return p
    }

    static func decode(_ p: DHCPv4PacketBuilder, bulk: Bool = false) -> Result<LeasequeryQuery, LeasequeryQuery.Refusal> {
        let bytes = p.bytes
        return bytes.withUnsafeBytes { raw in
            do throws(LeasequeryQuery.Refusal) {
                let m = try! DHCPv4Message(decoding: raw)
                return .success(try LeasequeryQuery(m, bulk: bulk))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Answers `p` as the worker does over UDP: the reply type, the lease and the reply bytes.
    static func answer(_ p: DHCPv4PacketBuilder, times: [UInt32]? = nil,
                       bindings: BindingTable = BindingTable()) throws -> (LeasequeryResult, DHCPv4Reply) {
        let q = try decode(p).get()
        let (state, _) = times.map { Self.state($0, bindings: bindings) } ?? Self.state(bindings: bindings)
        defer { UnsafeMutableBufferPointer(mutating: state.lastServed).deallocate() }
        let (result, lease) = responder.answer(q, state: state, now: now)
        let type: LeasequeryMessageType = result == .active ? .leaseActive : result == .unassigned ? .leaseUnassigned : .leaseUnknown
        var associated = q.wantsAssociatedIP
        if case .address = q.key { associated = false }
        let bytes = p.bytes
        let reply = try bytes.withUnsafeBytes { raw in
            let echo = LeasequeryEcho(try DHCPv4Message(decoding: raw))
            var out = [UInt8](repeating: 0xEE, count: 1500)
            let n = try #require(out.withUnsafeMutableBytes {
                responder.encode(type, lease: lease, echo: echo, now: now, associatedIP: associated, padded: true, into: $0)
            })
            return try #require(DHCPv4Reply(Array(out[0..<n])))
        }
        return (result, reply)
    }

    @Test("By address, served within its lease: DHCPLEASEACTIVE, byte for byte")
    func activeByAddressExactBytes() throws {
        var p = Self.query()
        p.ciaddr = World.addressA
        let (result, reply) = try Self.answer(p)
        #expect(result == .active)
        let expected = ReplyBytesTests.hex("""
            02 01 06 00  01 02 03 04  00 00 00 00
            c0 a8 01 64  00 00 00 00  00 00 00 00  c0 a8 01 fe
            00 11 22 33 44 55 00 00 00 00 00 00 00 00 00 00
            """) + [UInt8](repeating: 0, count: 192) + ReplyBytesTests.hex("""
            63 82 53 63
            35 01 0d
            36 04 0a 00 00 01
            33 04 00 00 0d ac
            5b 04 00 00 00 64
            ff
            """)
        #expect(reply.bytes == expected + [UInt8](repeating: 0, count: 300 - expected.count))
    }

    @Test("The Option 82 the client last came in with: the binding's, else the reservation's key")
    func option82FromBindingOrReservation() throws {
        var p = Self.query()
        p.ciaddr = World.addressC
        var (result, reply) = try Self.answer(p, times: [0, 0, Self.now - 5, 0, 0])
        #expect(result == .active)
        #expect(reply.relayAgentInformation == DHCPv4Options.relayAgentInformation([(2, Array("fallback-remote".utf8))]))
        var bindings = BindingTable()
        bindings.learn(mac: World.macC, option82: Option82(circuit: "c9", remote: "r9"), now: 1)
        (result, reply) = try Self.answer(p, times: [0, 0, Self.now - 5, 0, 0], bindings: bindings)
        #expect(reply.relayAgentInformation == DHCPv4Options.relayAgentInformation([(1, [0x63, 0x39]), (2, [0x72, 0x39])]))
    }

    @Test("By address: reserved but not served, or served longer ago than the lease → DHCPLEASEUNASSIGNED")
    func unassigned() throws {
        for address in [World.addressB, World.addressC] {
            var p = Self.query()
            p.ciaddr = address
            let (result, reply) = try Self.answer(p)
            #expect(result == .unassigned)
            #expect(reply.messageType == 11)
            #expect(reply.ciaddr == address)
            #expect(reply.option(51) == nil && reply.option(91) == nil && reply.option(82) == nil)
            #expect(reply.serverIdentifier == World.serverID)
        }
    }

    @Test("By address with no reservation → DHCPLEASEUNKNOWN")
    func unknownAddress() throws {
        var p = Self.query()
        p.ciaddr = IPv4Address(192, 168, 1, 99)
        let (result, reply) = try Self.answer(p)
        #expect(result == .unknown)
        #expect(reply.messageType == 12)
        #expect(reply.ciaddr == IPv4Address(192, 168, 1, 99))
    }

    @Test("By MAC: active → DHCPLEASEACTIVE (associated-ip when option 55 asks); not active or unknown → DHCPLEASEUNKNOWN")
    func byMAC() throws {
        var p = Self.query()
        p.htype = 1
        p.hlen = 6
        p.chaddr = World.macA.bytes
        p.add(55, [92])
        var (result, reply) = try Self.answer(p)
        #expect(result == .active)
        #expect(reply.ciaddr == World.addressA && reply.clientMAC == World.macA)
        #expect(reply.addresses(92) == [World.addressA])
        #expect(reply.leaseTime == 3500)
        #expect(reply.uint32(91) == 100)
        // Reserved but not served within the lease: no active lease for this client.
        (result, reply) = try Self.answer(p, times: [Self.now - 3601, 0, 0, 0, 0])
        #expect(result == .unknown && reply.messageType == 12 && reply.option(92) == nil)
        p.chaddr = World.unknownMAC.bytes
        (result, reply) = try Self.answer(p)
        #expect(result == .unknown && reply.clientMAC == World.unknownMAC)
    }

    @Test("By MAC of a client whose reservation is keyed by Option 82: through the binding its ACK taught")
    func byMACThroughBinding() throws {
        var p = Self.query()
        p.htype = 1
        p.hlen = 6
        let cpe = MACAddress("02:00:5e:00:00:09")!
        p.chaddr = cpe.bytes
        var bindings = BindingTable()
        bindings.learn(mac: cpe, option82: Option82(remote: "switch1:port1"), now: 1)
        let (result, reply) = try Self.answer(p, times: [0, Self.now - 1, 0, 0, 0], bindings: bindings)
        #expect(result == .active)
        #expect(reply.ciaddr == World.addressB)
        #expect(reply.hlen == 0)  // the reservation has no MAC
    }

    @Test("By client identifier: type 1 with the MAC finds the client; any other identifier is unknown")
    func byClientID() throws {
        var p = Self.query()
        p.add(61, [1] + World.macA.bytes)
        var (result, reply) = try Self.answer(p)
        #expect(result == .active && reply.ciaddr == World.addressA)
        p = Self.query()
        p.add(61, Array("opaque-id".utf8))
        (result, reply) = try Self.answer(p)
        #expect(result == .unknown && reply.messageType == 12)
    }

    @Test("Query types: ciaddr first, then client identifier, then chaddr; none → MalformedQuery")
    func queryTypes() throws {
        var p = Self.query()
        p.ciaddr = World.addressA
        p.add(61, [1, 2, 3])
        #expect(try Self.decode(p).get().key == .address(World.addressA))
        p.ciaddr = .any
        #expect(try Self.decode(p).get().key == .clientID([1, 2, 3]))
        p = Self.query()
        #expect(throws: LeasequeryQuery.Refusal(status: .malformedQuery, message: "no ciaddr, client identifier or chaddr")) {
            try Self.decode(p).get()
        }
    }

    @Test("A MalformedQuery answer: DHCPLEASEUNKNOWN with dhcp-status-code 3 and its message")
    func malformedAnswer() throws {
        let p = Self.query()
        let bytes = p.bytes
        let reply = try bytes.withUnsafeBytes { raw in
            let echo = LeasequeryEcho(try DHCPv4Message(decoding: raw))
            var out = [UInt8](repeating: 0, count: 1500)
            let n = try #require(out.withUnsafeMutableBytes {
                Self.responder.encode(.leaseUnknown, lease: nil, echo: echo, now: Self.now,
                                      status: (.malformedQuery, "no ciaddr"), padded: true, into: $0)
            })
            return try #require(DHCPv4Reply(Array(out[0..<n])))
        }
        #expect(reply.messageType == 12)
        #expect(reply.option(151) == [3] + Array("no ciaddr".utf8))
    }

    @Test("DHCPBULKLEASEQUERY: one query type, zero ciaddr/yiaddr/siaddr, no VPN, valid times")
    func bulkDecoding() throws {
        var p = Self.query(bulk: true)
        p.relayAgentInformation(remote: "olt-7")
        #expect(try Self.decode(p, bulk: true).get().key == .remoteID(Array("olt-7".utf8)))
        p = Self.query(bulk: true)
        p.relayAgentInformation([(12, [0xAA, 0xBB])])
        #expect(try Self.decode(p, bulk: true).get().key == .relayID([0xAA, 0xBB]))
        func refusal(_ change: (inout DHCPv4PacketBuilder) -> Void) -> LeasequeryQuery.Refusal? {
            var p = Self.query(bulk: true)
            p.relayAgentInformation(remote: "olt-7")
            change(&p)
            if case .failure(let r) = Self.decode(p, bulk: true) { return r }
            return nil
        }
        #expect(refusal { $0.ciaddr = World.addressA }?.status == .malformedQuery)
        #expect(refusal { $0.yiaddr = World.addressA }?.status == .malformedQuery)
        #expect(refusal { $0.add(61, [1, 2]) }?.message == "more than one query type")
        #expect(refusal { $0.add(221, [0]) }?.status == .notAllowed)
        #expect(refusal { $0.add(154, [0, 0, 0, 9]); $0.add(155, [0, 0, 0, 1]) }?.status == .malformedQuery)
        #expect(refusal { $0.add(154, [0, 0]) }?.status == .malformedQuery)
        #expect(refusal { $0.options.removeAll { $0.code == 82 } }?.status == .notAllowed)
        #expect(refusal { $0.options.removeAll { $0.code == 82 }; $0.relayAgentInformation(remote: "") } != nil)
    }

    @Test("Bulk by remote-id: the active leases behind it, ascending; relay-id is refused NotAllowed")
    func bulkByRemoteID() throws {
        let extra = (0..<5).map { i in
            World.reservation(IPv4Address(10, 10, 9, UInt8(50 - i)), option82: Option82(circuit: "c\(i)", remote: "olt-9"))
        }
        let snapshot = ReservationSnapshot(reservations: World.snapshot.allReservations + extra)
        let index = LeasequeryIndex(snapshot, bulk: true)
        var times = [UInt32](repeating: 0, count: snapshot.count)
        for i in 5..<10 where i != 7 { times[i] = Self.now - UInt32(i) }
        let leases = try times.withUnsafeBufferPointer { served in
            let state = LeasequeryState(snapshot: snapshot, index: index, lastServed: served, bindings: BindingTable())
            var p = Self.query(bulk: true)
            p.relayAgentInformation(remote: "olt-9")
            return try Self.responder.bulk(try Self.decode(p, bulk: true).get(), state: state, now: Self.now)
        }
        #expect(leases.map(\.address) == [46, 47, 49, 50].map { IPv4Address(10, 10, 9, $0) })
        #expect(leases.map { $0.option82?.circuit } == ["c4", "c3", "c1", "c0"])
        let (state, _) = Self.state()
        defer { UnsafeMutableBufferPointer(mutating: state.lastServed).deallocate() }
        var p = Self.query(bulk: true)
        p.relayAgentInformation([(12, [1])])
        #expect(throws: LeasequeryQuery.Refusal.self) { try Self.responder.bulk(try Self.decode(p, bulk: true).get(), state: state, now: Self.now) }
        // With the worker's record: the active ones among them, ascending by address.
        var recorded = state
        recorded.relayIDReservations = { $0 == [1] ? [4, 0, 2] : [] }
        let throughRelay = try Self.responder.bulk(try Self.decode(p, bulk: true).get(), state: recorded, now: Self.now)
        #expect(throughRelay.map(\.address) == [World.addressA, IPv4Address(192, 168, 1, 201)])  // C is past its lease
    }

    @Test("A query by address over a million reservations is a binary search")
    func indexFindsEveryAddress() {
        let reservations = (0..<1000).map { World.reservation(IPv4Address(UInt32(0x0A00_0000 + 7919 * $0 % 100_000)), mac: nil,
                                                              option82: Option82(circuit: "c\($0)")) }
        let snapshot = ReservationSnapshot(reservations: reservations)
        let index = LeasequeryIndex(snapshot, bulk: false)
        for i in 0..<snapshot.count { #expect(index.reservation(at: snapshot.ipv4(at: i)) == i) }
        #expect(index.reservation(at: IPv4Address(0x0B00_0000)) == nil)
    }

    @Test("Every leasequery reply type dissects cleanly in tshark",
          .enabled(if: FileManager.default.isExecutableFile(atPath: TSharkTests.tshark)))
    func tshark() throws {
        var active = Self.query()
        active.ciaddr = World.addressC
        var unassigned = Self.query()
        unassigned.ciaddr = World.addressB
        var unknown = Self.query()
        unknown.ciaddr = IPv4Address(192, 168, 1, 99)
        var byMAC = Self.query()
        byMAC.htype = 1; byMAC.hlen = 6; byMAC.chaddr = World.macA.bytes; byMAC.add(55, [92])
        var pcap = PcapWriter()
        for p in [active, unassigned, unknown, byMAC] {
            let (_, reply) = try Self.answer(p, times: [Self.now - 100, 0, Self.now - 5, 0, 0])
            pcap.add(udpPayload: reply.bytes, from: World.serverID, sourcePort: 67, to: World.relay, destinationPort: 67)
        }
        // A bulk DHCPLEASEACTIVE (base-time) and a DONE with a status.
        let echo = try Self.query(bulk: true).bytes.withUnsafeBytes { LeasequeryEcho(try DHCPv4Message(decoding: $0)) }
        let (state, _) = Self.state()
        defer { UnsafeMutableBufferPointer(mutating: state.lastServed).deallocate() }
        for (type, lease, status) in [(LeasequeryMessageType.leaseActive, state.lease(4), nil),
                                      (.leasequeryDone, nil, (LeasequeryStatus.notAllowed, "not supported"))] {
            var out = [UInt8](repeating: 0, count: 1500)
            let n = try #require(out.withUnsafeMutableBytes {
                Self.responder.encode(type, lease: lease, echo: echo, now: Self.now, baseTime: true, status: status,
                                      padded: true, into: $0)
            })
            pcap.add(udpPayload: Array(out[0..<n]), from: World.serverID, sourcePort: 67, to: World.relay, destinationPort: 67)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lq-tshark-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("leasequery.pcap")
        try Data(pcap.bytes).write(to: file)
        let output = try TSharkTests.run(["-r", file.path, "-V"], home: dir)
        #expect(!output.contains("Malformed"))
        #expect(!output.contains("Expert Info (Error"))
        for expected in ["DHCP Message Type (Lease Active)", "DHCP Message Type (Lease Unassigned)",
                         "DHCP Message Type (Lease Unknown)", "DHCP Message Type (Lease Query Done)",
                         "Client last transaction time", "Associated IP option: 192.168.1.100", "Agent Remote ID",
                         "Status Code: NotAllowed (4)", "Leasequery Base Time", "IP Address Lease Time"] {
            #expect(output.contains(expected), "tshark output lacks \(expected)\n\(output)")
        }
    }
}
