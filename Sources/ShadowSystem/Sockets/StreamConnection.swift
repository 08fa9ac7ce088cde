import CShim
import Glibc
import ShadowCore
import SystemPackage

/// Non-blocking TCP connections accepted by a sandboxed worker on a listener the master bound
/// (bulk leasequery, docs/leasequery.md). Accepting, reading and writing never block and never
/// raise SIGPIPE; closing is `close(2)` (the worker's filter allows no `shutdown`).
public enum StreamConnection {
    /// What a non-blocking read got.
    public enum Received: Equatable, Sendable {
        /// `n` bytes (more than 0).
        case bytes(Int)
        /// Nothing to read now.
        case wouldBlock
        /// The peer closed its side (or reset the connection).
        case closed
    }

    /// Whether `fd` is a listening TCP socket of AF_INET6 when `ipv6`, else of AF_INET (the
    /// bulk leasequery listener a worker inherits at ``WorkerDescriptors``).
    ///
    /// Corresponds to getsockopt(2) with SO_TYPE, SO_DOMAIN and SO_ACCEPTCONN.
    public static func isTCPListener(_ fd: FileDescriptor, ipv6: Bool) -> Bool {
        guard let kind = SocketKind.of(fd), kind.type == CInt(SOCK_STREAM.rawValue),
              kind.domain == (ipv6 ? AF_INET6 : AF_INET) else { return false }
        var listening: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        return getsockopt(fd.rawValue, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0 && listening != 0
    }

    /// The next pending connection, non-blocking and close-on-exec, with its peer address; nil
    /// when none is pending. A connection that went away before it was accepted is skipped (nil).
    ///
    /// Corresponds to accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC.
    public static func accept(_ listener: FileDescriptor) throws(Errno) -> (FileDescriptor, SocketAddress?)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        do throws(Errno) {
            let fd = try withUnsafeMutableBytes(of: &storage) { (raw) throws(Errno) -> CInt in
                try systemCall {
                    cshim_accept_nonblocking(listener.rawValue, raw.baseAddress, &length)
                }
            }
            let peer = withUnsafeBytes(of: &storage) { SocketAddress.read(from: $0.baseAddress!, length: length)?.0 }
            return (FileDescriptor(rawValue: fd), peer)
        } catch {
            switch error {
            case .resourceTemporarilyUnavailable, .connectionAbort, .protocolError: return nil
            default: throw error
            }
        }
    }

    /// Reads what is there, up to `buffer.count` bytes, without waiting.
    ///
    /// Corresponds to recvmsg(2) with MSG_DONTWAIT.
    public static func receive(_ fd: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Received {
        var iov = iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
        var header = msghdr()
        let n = withUnsafeMutablePointer(to: &iov) { p in
            header.msg_iov = p
            header.msg_iovlen = 1
            return recvmsg(fd.rawValue, &header, Int32(MSG_DONTWAIT))
        }
        if n > 0 { return .bytes(n) }
        if n == 0 { return .closed }
        let code = errno
        switch code {
        case EINTR, EAGAIN: return .wouldBlock
        case ECONNRESET, ETIMEDOUT, EPIPE: return .closed
        default:
            throw lastErrno()
        }
    }

    /// Writes as much of `bytes` as the socket takes now; returns how many (0: it would block).
    /// A peer that went away is ``Errno/brokenPipe`` or ``Errno/connectionReset``, never SIGPIPE.
    ///
    /// Corresponds to sendmsg(2) with MSG_DONTWAIT | MSG_NOSIGNAL.
    public static func send(_ fd: FileDescriptor, _ bytes: UnsafeRawBufferPointer) throws(Errno) -> Int {
        guard !bytes.isEmpty else { return 0 }
        var iov = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
        var header = msghdr()
        let n = withUnsafeMutablePointer(to: &iov) { p in
            header.msg_iov = p
            header.msg_iovlen = 1
            return sendmsg(fd.rawValue, &header, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
        }
        if n >= 0 { return n }
        let code = errno
        if code == EAGAIN || code == EINTR { return 0 }
        throw lastErrno()
    }
}
