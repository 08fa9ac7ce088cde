import Glibc
import IPC
import ShadowCore
import ShadowSystem
import SystemPackage
import Testing

/// The building blocks assembled the way the runtime will: the master binds a UDP socket and a
/// SEQPACKET pair, spawns the probe as a worker with both at fixed fds, audits it, sends a sealed
/// memfd snapshot, exchanges UDP through the sandboxed worker and shuts it down.
@Suite struct WorkerPipelineTests {
    /// Waits up to 5 s for a message from the worker and decodes it.
    static func receive(_ channel: SeqPacketChannel) throws -> IPCMessage? {
        var poller = PollSet([(channel.descriptor, .readable)])
        guard try poller.wait(timeoutMilliseconds: 5000) == 1,
              case .message(let bytes, let fd) = try channel.receive() else { return nil }
        return try IPCCodec.decode(bytes, direction: .v4ToMaster, hasDescriptor: fd != nil).message
    }

    static func send(_ message: IPCMessage, _ channel: SeqPacketChannel, passing fd: FileDescriptor? = nil) throws {
        try channel.send(IPCCodec.encode(message, generation: 7, direction: .masterToV4), passing: fd)
    }

    /// Encodes `reservations` straight into a sealed memfd; returns it with its announcement.
    static func snapshot(_ reservations: [Reservation]) throws -> (FileDescriptor, SnapshotAnnouncement) {
        let size = try SnapshotCodec.encodedByteCount(of: reservations)
        var announcement: SnapshotAnnouncement?
        let fd = try SealedMemoryFile.create(name: "shadow-snapshot", byteCount: size) { buffer in
            SnapshotCodec.encode(reservations, into: buffer)
            announcement = SnapshotCodec.announcement(for: UnsafeRawBufferPointer(buffer), snapshotGeneration: 1,
                                                      reservationCount: reservations.count)
        }
        return (fd, announcement!)
    }

    @Test(.rootOrFailInCI, .timeLimit(.minutes(1)))
    func sandboxedWorkerServesOverInheritedDescriptors() throws {
        try TestSupport.requireRootInCI()
        let root = try TestSupport.makeTemporaryDirectory("worker")
        defer { TestSupport.removeDirectory(root) }
        let (masterEnd, workerEnd) = try SeqPacketChannel.makeSocketPair()
        let master = try SeqPacketChannel(adopting: masterEnd)
        let udp = try UDPSocket.bind(.v4(IPv4Address(127, 0, 0, 1), port: 0))
        let serverAddress = try UDPSocket.localAddress(of: udp)
        let probe = TestSupport.probePath
        let child = try ProcessSpawner.spawn(SpawnConfiguration(
            executable: probe, arguments: [probe, "worker", "nobody", root, "7"],
            descriptors: [DescriptorMapping(FileDescriptor.standardError, as: 1),
                          DescriptorMapping(workerEnd, as: 3), DescriptorMapping(udp, as: 4)]))
        try workerEnd.close()
        try udp.close()
        var reaped = false
        defer { if !reaped { try? child.signal(SIGKILL); _ = try? child.wait() } }

        let nobody = try Sandbox.lookUp("nobody")
        #expect(try Self.receive(master) == .ready(ReadyMessage(pid: UInt32(child.pid), uid: nobody.uid,
                                                                 gid: nobody.gid, workerGeneration: 7)))
        let status = try ProcessStatus.read(pid: child.pid)
        #expect(SandboxAudit.problems(in: status, expectedUID: nobody.uid, expectedGID: nobody.gid) == [])

        let (memfd, announcement) = try Self.snapshot(Array(Self.reservations.prefix(3)))
        defer { try? memfd.close() }
        try Self.send(.snapshot(announcement), master, passing: memfd)
        #expect(try Self.receive(master) == .snapshotApplied(SnapshotApplied(snapshotGeneration: 1, reservationCount: 3)))

        #expect(try Self.exchange("hello", with: serverAddress) == "3:hello")

        var corrupted = announcement
        corrupted.digest ^= 1
        try Self.send(.snapshot(corrupted), master, passing: memfd)
        #expect(try Self.receive(master) == .snapshotRejected(SnapshotRejected(snapshotGeneration: 1, reason: .malformed)))

        try Self.send(.shutdown, master)
        #expect(try child.wait() == .exited(0))
        reaped = true
    }

    static let reservations = (0..<3).map { i in
        Reservation(ipv4: IPv4Address(10, 0, 0, UInt8(i)), ipv6NA: .loopback,
                    ipv6PD: IPv6Prefix(address: .any, prefixLength: 56), mac: MACAddress(value: UInt64(i)))
    }

    /// Sends one datagram from a fresh loopback socket and returns the reply's text.
    static func exchange(_ text: String, with server: SocketAddress) throws -> String? {
        let client = try UDPSocket.bind(.v4(IPv4Address(127, 0, 0, 1), port: 0))
        defer { try? client.close() }
        _ = try Array(text.utf8).withUnsafeBytes { try UDPSocket.send($0, to: server, on: client) }
        var poller = PollSet([(client, .readable)])
        guard try poller.wait(timeoutMilliseconds: 5000) == 1 else { return nil }
        let receiver = DatagramReceiver(capacity: 1, slotSize: 512)
        guard try receiver.receive(from: client) == 1, receiver[0].source == server else { return nil }
        return String(decoding: receiver[0].payload, as: UTF8.self)
    }
}
