import ShadowCore
import ShadowSystem
import SystemPackage

/// Sends one request and waits for the reply with the same transaction id: the "does this
/// reservation answer?" probe.
public enum ProbeExchange {
    /// Sends `request` from `socket` to `server` and returns the first datagram for which
    /// `matches` is true, or nil when none came within `timeout` seconds. Other datagrams are ignored.
    public static func run(socket: FileDescriptor, server: SocketAddress, request: [UInt8], timeout: Double,
                           matches: (UnsafeRawBufferPointer) -> Bool) throws(Errno) -> [UInt8]? {
        try socket.setNonBlocking(true)
        let sent: Result<Int, Errno> = request.withUnsafeBytes { bytes in
            Result { () throws(Errno) in try UDPSocket.send(bytes, to: server, on: socket) }
        }
        _ = try sent.get()
        let receiver = DatagramReceiver(capacity: 8, slotSize: 65535)
        var poll = PollSet([(socket, .readable)])
        let deadline = Clocks.monotonicNanoseconds() + UInt64(timeout * 1e9)
        while true {
            let now = Clocks.monotonicNanoseconds()
            guard now < deadline else { return nil }
            let wait = Int32(min((deadline - now) / 1_000_000 + 1, 1000))
            guard try poll.wait(timeoutMilliseconds: wait) > 0 else { continue }
            let n = try receiver.receive(from: socket, wait: .nonBlocking)
            for i in 0..<n where matches(receiver[i].payload) { return Array(receiver[i].payload) }
        }
    }
}
