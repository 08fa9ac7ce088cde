import DHCPWireKit
import DHCPv4
import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// Every binding a client was ACKed for is on disk after SIGTERM, even when the ACKs and the
/// signal cross: the master reads what the workers still report while they stop.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct ShutdownDrainTests {
    static let subscribers = 48

    static func key(_ i: Int) -> TestReservation.Option82Key { .init(circuit: "burst", remote: "cpe-\(i)") }
    static func mac(_ i: Int) -> MACAddress { MACAddress(value: 0x0200_5E20_0000 + UInt64(i)) }
    static func address(_ i: Int) -> IPv4Address { IPv4Address(100, 64, 1, UInt8(i + 1)) }

    static let reservations = (0..<subscribers).map { i in
        TestReservation(ipv4: "\(address(i))", ipv6NA: "2001:db8:2::\(i + 1)", ipv6PD: "2001:db8:2:\(i + 1)00::/56",
                        option82: key(i))
    }

    @Test func bindingsAckedWhileStoppingArePersisted() async throws {
        let directory = try ServerDirectory(reservations: Self.reservations)
        let relay = try RelayV4(server: directory.v4Server)
        var acked: Set<MACAddress> = []
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            var macOfXID: [UInt32: MACAddress] = [:]
            for i in 0..<Self.subscribers {
                let request = relay.relayed(.request(mac: Self.mac(i), xid: 0x00C0_0000 + UInt32(i),
                                                     address: Self.address(i), server: Fixtures.serverIDv4,
                                                     option82: Self.key(i)))
                macOfXID[request.xid] = Self.mac(i)
                try relay.send(raw: request.bytes)
            }
            // SIGTERM as soon as the first ACK is out: the worker is then busy reporting the batch.
            var signalled = false
            while let (bytes, _) = try relay.endpoint.receive(timeout: .seconds(signalled ? 1 : 3)) {
                if !signalled {
                    try master.send(SIGTERM)
                    signalled = true
                }
                if let ack = DHCPv4Reply(bytes), ack.messageType == DHCPv4Reply.ack, let mac = macOfXID[ack.xid] {
                    acked.insert(mac)
                }
            }
            #expect(signalled, "no ACK at all\n\(master.output.tail())")
            let status = try await master.waitForExit(timeout: .seconds(5))
            #expect(status == .exited(0), "\(master.output.tail())")
        }
        let saved = Files.readText(directory.bindingsFile) ?? ""
        let value = try JSONValue.parse(Array(saved.utf8))
        guard case .array(let entries) = value else {
            Issue.record("bindings.json is not an array: \(saved)")
            return
        }
        let persisted = Set(entries.compactMap { e -> MACAddress? in
            if case .string(let mac)? = e["mac"] { return MACAddress(mac) }
            return nil
        })
        let lost = acked.subtracting(persisted)
        #expect(!acked.isEmpty)
        #expect(lost.count == 0, "\(lost.count) of \(acked.count) ACKed bindings are not in bindings.json")
    }
}
