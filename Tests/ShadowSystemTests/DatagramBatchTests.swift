import Glibc
import ShadowCore
import ShadowSystem
import SystemPackage
import Testing

@Suite struct DatagramBatchTests {
    static let loopbacks: [SocketAddress] = [.v4(IPv4Address(127, 0, 0, 1), port: 0), .v6(.loopback, port: 0)]

    @Test(arguments: loopbacks)
    func batchRoundTripOverLoopback(_ any: SocketAddress) throws {
        let server = try UDPSocket.bind(any)
        let client = try UDPSocket.bind(any)
        defer { try? server.close(); try? client.close() }
        let serverAddress = try UDPSocket.localAddress(of: server)
        let clientAddress = try UDPSocket.localAddress(of: client)
        #expect(serverAddress.port != 0)
        #expect(try UDPSocket.receiveBufferSize(of: server) >= 1 << 20)

        let sender = DatagramSender(capacity: 8)
        for i in 0..<3 {
            #expect(Array("ping \(i)".utf8).withUnsafeBytes { sender.enqueue($0, to: serverAddress) })
        }
        #expect(sender.flush(to: client) == FlushResult(sent: 3, dropped: 0, lastError: nil))

        let receiver = DatagramReceiver(capacity: 8)
        var payloads: [String] = []
        while payloads.count < 3 {
            let n = try receiver.receive(from: server, wait: .waitForOne)
            for i in 0..<n {
                let d = receiver[i]
                #expect(!d.isTruncated)
                #expect(d.source == clientAddress)
                payloads.append(String(decoding: d.payload, as: UTF8.self))
                // Reply straight from the receive buffer into the send slot.
                sender.enqueue(to: d.source!, scopeID: d.scopeID) { slot in
                    slot.copyMemory(from: d.payload)
                    return d.payload.count
                }
            }
        }
        #expect(payloads == ["ping 0", "ping 1", "ping 2"])
        #expect(sender.flush(to: server).sent == 3)
        var replies = 0
        while replies < 3 {
            let n = try receiver.receive(from: client)
            for i in 0..<n { #expect(receiver[i].source == serverAddress) }
            replies += n
        }
        #expect(try receiver.receive(from: client, wait: .nonBlocking) == 0)
    }

    /// The receiver lays its mmsghdrs out once; the kernel shortens the address length of every
    /// message it fills (16 bytes for IPv4), so each receive must give it back before an IPv6
    /// source (28 bytes) can land in the same slot.
    @Test func addressLengthsAreRestoredBetweenBatches() throws {
        let v4 = SocketAddress.v4(IPv4Address(127, 0, 0, 1), port: 0), v6 = SocketAddress.v6(.loopback, port: 0)
        let sockets = try [v4, v6].map { (server: try UDPSocket.bind($0), client: try UDPSocket.bind($0)) }
        defer { for s in sockets { try? s.server.close(); try? s.client.close() } }
        let receiver = DatagramReceiver(capacity: 4, slotSize: 64)
        for (family, count) in [(0, 3), (1, 1), (1, 3), (0, 2), (1, 4)] {
            let (server, client) = sockets[family]
            let to = try UDPSocket.localAddress(of: server), from = try UDPSocket.localAddress(of: client)
            for i in 0..<count {
                _ = try Array("d\(i)".utf8).withUnsafeBytes { try UDPSocket.send($0, to: to, on: client) }
            }
            var sources: [SocketAddress?] = []
            while sources.count < count {
                let n = try receiver.receive(from: server)
                for i in 0..<n { sources.append(receiver[i].source) }
            }
            #expect(sources == Array(repeating: from, count: count), "family \(family), \(count) datagrams")
        }
    }

    @Test func datagramLargerThanTheSlotIsReportedTruncated() throws {
        let loopback = SocketAddress.v4(IPv4Address(127, 0, 0, 1), port: 0)
        let server = try UDPSocket.bind(loopback)
        let client = try UDPSocket.bind(loopback)
        defer { try? server.close(); try? client.close() }
        let to = try UDPSocket.localAddress(of: server)
        _ = try Array(repeating: UInt8(0xAB), count: 100).withUnsafeBytes { try UDPSocket.send($0, to: to, on: client) }
        _ = try Array("ok".utf8).withUnsafeBytes { try UDPSocket.send($0, to: to, on: client) }
        let receiver = DatagramReceiver(capacity: 4, slotSize: 16)
        var seen: [ReceivedDatagram] = []
        while seen.count < 2 {
            let n = try receiver.receive(from: server)
            for i in 0..<n { seen.append(receiver[i]) }
            if seen.count == 2 { break }
        }
        #expect(seen[0].isTruncated)
        #expect(seen[0].length == 100)
        #expect(seen[0].payload.isEmpty)
        #expect(!seen[1].isTruncated)
        #expect(Array(seen[1].payload) == Array("ok".utf8))
    }

    @Test func senderRefusesWhenFullAndDropsUnsendable() throws {
        let socket = try UDPSocket.bind(.v4(IPv4Address(127, 0, 0, 1), port: 0))
        defer { try? socket.close() }
        let sender = DatagramSender(capacity: 2, slotSize: 8)
        let nine = [UInt8](repeating: 1, count: 9)
        #expect(!nine.withUnsafeBytes { sender.enqueue($0, to: .v4(IPv4Address(127, 0, 0, 1), port: 9)) })
        let one: [UInt8] = [1]
        // An IPv6 destination on an IPv4 socket fails (EAFNOSUPPORT/EINVAL) and is dropped alone.
        #expect(one.withUnsafeBytes { sender.enqueue($0, to: .v6(.loopback, port: 9)) })
        #expect(one.withUnsafeBytes { sender.enqueue($0, to: try! UDPSocket.localAddress(of: socket)) })
        #expect(sender.isFull)
        #expect(!one.withUnsafeBytes { sender.enqueue($0, to: .v4(IPv4Address(127, 0, 0, 1), port: 9)) })
        let result = sender.flush(to: socket)
        #expect(result.sent == 1)
        #expect(result.dropped == 1)
        #expect(result.lastError != nil)
        #expect(sender.pendingCount == 0)
    }
}

@Suite struct UDPSocketTests {
    /// A second server on the same address must fail (docs/operations.md), unless both ask for
    /// SO_REUSEADDR, in which case Linux lets them share it — why it is off by default.
    @Test(arguments: DatagramBatchTests.loopbacks)
    func secondBindOfTheSameAddressFails(_ any: SocketAddress) throws {
        let first = try UDPSocket.bind(any)
        defer { try? first.close() }
        let taken = try UDPSocket.localAddress(of: first)
        #expect(throws: Errno.addressInUse) { try UDPSocket.bind(taken).close() }

        let shared = try UDPSocket.bind(any, reuseAddress: true)
        defer { try? shared.close() }
        let second = try UDPSocket.bind(try UDPSocket.localAddress(of: shared), reuseAddress: true)
        try second.close()
    }
}
