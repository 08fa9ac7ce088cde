import Glibc
import ShadowCore
import ShadowSystem
import SystemPackage

/// A test's TCP connection to a bulk leasequery listener: messages framed by a 2-byte big-endian
/// length (RFC 6926, RFC 5460), read with a timeout.
public final class FramedTCPClient {
    public let fd: FileDescriptor
    private var input: [UInt8] = []
    /// The server closed the connection (a read returned 0 or failed).
    public private(set) var isClosed = false

    /// Connects to `server` (blocking, at most 3 s).
    public init(connectingTo server: SocketAddress) throws {
        let raw = socket(server.isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard raw >= 0 else { throw Errno(rawValue: errno) }
        fd = FileDescriptor(rawValue: raw)
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(raw, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = server.withSockaddr { sa, length in connect(raw, sa, length) }
        guard result == 0 else {
            let e = errno
            try? fd.close()
            throw Errno(rawValue: e)
        }
    }

    deinit { try? fd.close() }

    /// Writes `bytes` as they are (a frame, part of one, garbage).
    public func send(raw bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Errno(rawValue: errno) }
            offset += n
        }
    }

    /// Writes one message with its 2-byte length.
    public func send(message: [UInt8]) throws {
        try send(raw: [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message)
    }

    /// The next whole message, or nil when none came within `timeout` or the server closed.
    public func receive(timeout: Duration = .seconds(5)) throws -> [UInt8]? {
        let deadline = Deadline(after: timeout)
        while true {
            if input.count >= 2 {
                let length = Int(input[0]) << 8 | Int(input[1])
                if input.count >= 2 + length {
                    let message = Array(input[2..<(2 + length)])
                    input.removeFirst(2 + length)
                    return message
                }
            }
            guard !isClosed else { return nil }
            var poller = PollSet([(fd, .readable)])
            guard try poller.wait(timeoutMilliseconds: deadline.remainingMilliseconds) > 0 else { return nil }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd.rawValue, $0.baseAddress, $0.count, 0) }
            if n <= 0 { isClosed = true } else { input += chunk[0..<n] }
            if deadline.hasPassed && n <= 0 { return nil }
        }
    }

    /// Whether the server closes the connection within `timeout` (whatever it sent before is read
    /// and dropped).
    public func closesWithin(_ timeout: Duration) throws -> Bool {
        let deadline = Deadline(after: timeout)
        while !isClosed && !deadline.hasPassed {
            _ = try receive(timeout: .milliseconds(max(1, Int(deadline.remainingMilliseconds))))
            input.removeAll()
        }
        return isClosed
    }
}
