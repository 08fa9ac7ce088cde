import ShadowCore
import ShadowSystem
import SystemPackage

/// One UDP socket of a test: send datagrams, receive with a timeout.
public final class UDPEndpoint {
    public let socket: FileDescriptor
    public let localAddress: SocketAddress
    private let receiver = DatagramReceiver(capacity: 8, slotSize: 65535)

    /// Binds `address` (port 0: an ephemeral port).
    public init(bind address: SocketAddress) throws {
        socket = try UDPSocket.bind(address, receiveBufferSize: 1 << 20)
        do { localAddress = try UDPSocket.localAddress(of: socket) } catch {
            try? socket.close()
            throw error
        }
    }

    deinit { try? socket.close() }

    /// Sends one datagram.
    public func send(_ bytes: [UInt8], to destination: SocketAddress) throws {
        _ = try bytes.withUnsafeBytes { try UDPSocket.send($0, to: destination, on: socket) }
    }

    /// The next datagram for which `accept` is true, waiting up to `timeout`; datagrams it refuses
    /// are dropped. Nil on timeout.
    public func receive(timeout: Duration,
                        where accept: ([UInt8], SocketAddress) -> Bool = { _, _ in true }) throws -> ([UInt8], SocketAddress)? {
        let deadline = Deadline(after: timeout)
        while true {
            var poller = PollSet([(socket, .readable)])
            guard try poller.wait(timeoutMilliseconds: deadline.remainingMilliseconds) > 0 else { return nil }
            let n = try receiver.receive(from: socket, wait: .nonBlocking)
            for i in 0..<n {
                let d = receiver[i]
                guard !d.isTruncated, let source = d.source else { continue }
                let bytes = Array(d.payload)
                if accept(bytes, source) { return (bytes, source) }
            }
            if deadline.hasPassed { return nil }
        }
    }
}
