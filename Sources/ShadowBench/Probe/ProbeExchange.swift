import ShadowCore
import ShadowSystem
import SystemPackage

/// Sends one request and waits for the reply with the same transaction id: the "does this
/// reservation answer?" probe.
public enum ProbeExchange {
    /// Sends `request` from `socket` to `server` and returns the first datagram for which
    /// `matches` is true, or nil when none came within `timeout` seconds. Other datagrams are ignored.
    /// With `resend`, the request goes out again every `resend` seconds until then (waiting for a
    /// server that is still starting, without a new process per try).
    public static func run(socket: FileDescriptor, server: SocketAddress, request: [UInt8], timeout: Double,
                           resend: Double? = nil,
                           matches: (UnsafeRawBufferPointer) -> Bool) throws(Errno) -> [UInt8]? {
        try socket.setNonBlocking(true)
        func send() throws(Errno) {
            let sent: Result<Int, Errno> = request.withUnsafeBytes { bytes in
                Result { () throws(Errno) in try UDPSocket.send(bytes, to: server, on: socket) }
            }
            _ = try sent.get()
        }
        try send()
        let receiver = DatagramReceiver(capacity: 8, slotSize: 65535)
        var poll = PollSet([(socket, .readable)])
        let start = Clocks.monotonicNanoseconds()
        let deadline = start + UInt64(timeout * 1e9)
        let interval = resend.map { UInt64(max($0, 0.001) * 1e9) }
        var nextSend = interval.map { start + $0 } ?? UInt64.max
        while true {
            var now = Clocks.monotonicNanoseconds()
            guard now < deadline else { return nil }
            if now >= nextSend, let interval {
                try send()
                nextSend = now + interval
                now = Clocks.monotonicNanoseconds()
            }
            let until = min(deadline, nextSend)
            let wait = Int32(min((until - min(now, until)) / 1_000_000 + 1, 1000))
            guard try poll.wait(timeoutMilliseconds: wait) > 0 else { continue }
            let n = try receiver.receive(from: socket, wait: .nonBlocking)
            for i in 0..<n where matches(receiver[i].payload) { return Array(receiver[i].payload) }
        }
    }
}
