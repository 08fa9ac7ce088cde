import IPC
import ShadowCore
import ShadowSystem
import SystemPackage

/// A miniature worker: everything a real one does with the building blocks, in order.
enum ProbeWorker {
    static let direction = Direction.v4ToMaster

    static func run(user: String, root: String, generation: UInt64) -> Int32 {
        do {
            // Adopted before the drop, as the worker does (it may set SO_SNDBUF).
            let channel = try SeqPacketChannel(adopting: FileDescriptor(rawValue: 3))
            let status = try Sandbox.enter(SandboxPlan(user: user, rootDirectory: root, limits: .worker))
            let udp = FileDescriptor(rawValue: 4)
            try send(.ready(ReadyMessage(pid: UInt32(CurrentProcess.id), uid: status.uids[0], gid: status.gids[0],
                                         workerGeneration: generation)), generation, channel)
            try serve(channel: channel, udp: udp, generation: generation)
            return 0
        } catch {
            print("error=\(error)")
            return 1
        }
    }

    static func send(_ message: IPCMessage, _ generation: UInt64, _ channel: SeqPacketChannel) throws {
        try channel.send(IPCCodec.encode(message, generation: generation, direction: direction))
    }

    /// Polls IPC and UDP; applies snapshots, echoes datagrams (prefixed with the reservation
    /// count), returns on shutdown.
    static func serve(channel: SeqPacketChannel, udp: FileDescriptor, generation: UInt64) throws {
        var reservations: [Reservation] = []
        let receiver = DatagramReceiver(capacity: 8, slotSize: 2048)
        let sender = DatagramSender(capacity: 8, slotSize: 2048)
        var poller = PollSet([(channel.descriptor, .readable), (udp, .readable)])
        while true {
            try poller.wait(timeoutMilliseconds: 10_000)
            if !poller.events(at: 0).isEmpty {
                guard case .message(let bytes, let fd) = try channel.receive() else { return }
                let frame = try IPCCodec.decode(bytes, direction: .masterToV4, hasDescriptor: fd != nil)
                switch frame.message {
                case .shutdown: return
                case .snapshot(let announcement):
                    let reply = apply(announcement, fd!, &reservations)
                    try? fd?.close()
                    try send(reply, generation, channel)
                default: break
                }
            }
            if poller.events(at: 1).contains(.readable) {
                echo(receiver, sender, udp, count: reservations.count)
            }
        }
    }

    static func apply(_ a: SnapshotAnnouncement, _ fd: FileDescriptor, _ current: inout [Reservation]) -> IPCMessage {
        do {
            let mapping = try ReadOnlyMapping(descriptor: fd, announcedByteCount: a.byteCount)
            current = try SnapshotCodec.decode(mapping.bytes, announcement: a)
            return .snapshotApplied(SnapshotApplied(snapshotGeneration: a.snapshotGeneration,
                                                    reservationCount: UInt32(current.count)))
        } catch {
            return .snapshotRejected(SnapshotRejected(snapshotGeneration: a.snapshotGeneration, reason: .malformed))
        }
    }

    static func echo(_ receiver: DatagramReceiver, _ sender: DatagramSender, _ udp: FileDescriptor, count: Int) {
        guard (try? receiver.receive(from: udp, wait: .nonBlocking)) != nil else { return }
        for i in 0..<receiver.count {
            let d = receiver[i]
            guard !d.isTruncated, let source = d.source else { continue }
            let prefix = Array("\(count):".utf8)
            sender.enqueue(to: source, scopeID: d.scopeID) { slot in
                slot.copyBytes(from: prefix)
                UnsafeMutableRawBufferPointer(rebasing: slot[prefix.count...]).copyMemory(from: d.payload)
                return prefix.count + d.payload.count
            }
        }
        _ = sender.flush(to: udp)
    }
}
