import Glibc
import ShadowCore
import SystemPackage

/// Creating and binding the UDP sockets the master hands to the workers.
public enum UDPSocket {
    /// Receive buffer asked for by default: room for a burst of a few thousand DHCP packets.
    public static let defaultReceiveBufferSize = 4 * 1024 * 1024

    /// Creates a UDP socket for `address`'s family with SOCK_CLOEXEC, for IPv6 IPV6_V6ONLY, and
    /// SO_RCVBUF, optionally SO_REUSEADDR, then binds it. Port 0 binds an ephemeral port (see
    /// ``localAddress(of:)``).
    ///
    /// SO_REUSEADDR is off by default on purpose: UDP has no TIME_WAIT, so it buys nothing on
    /// restart, and on Linux two UDP sockets that both set it may bind the *same* address and
    /// port — a second server started by mistake would then silently share port 67 instead of
    /// failing with EADDRINUSE (docs/operations.md wants that error). Pass `reuseAddress: true` only
    /// if that sharing is wanted.
    ///
    /// The kernel caps SO_RCVBUF at `net.core.rmem_max`; when running as root SO_RCVBUFFORCE is
    /// tried first so the size asked for is honoured.
    ///
    /// Corresponds to socket(2), setsockopt(2) and bind(2).
    public static func bind(
        _ address: SocketAddress, receiveBufferSize: Int = defaultReceiveBufferSize, reuseAddress: Bool = false
    ) throws(Errno) -> FileDescriptor {
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        let fd = FileDescriptor(rawValue: try systemCall {
            socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        })
        do {
            if reuseAddress { try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1) }
            if address.isIPv6 { try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1) }
            if receiveBufferSize > 0 {
                let size = CInt(clamping: receiveBufferSize)
                do { try setOption(fd, SOL_SOCKET, SO_RCVBUFFORCE, size) } catch {
                    try setOption(fd, SOL_SOCKET, SO_RCVBUF, size)
                }
            }
            try address.withSockaddr { (sa, length) throws(Errno) in
                _ = try systemCall { Glibc.bind(fd.rawValue, sa, length) }
            }
            return fd
        } catch {
            try? fd.close()
            throw error
        }
    }

    /// The address the socket is bound to.
    ///
    /// Corresponds to getsockname(2).
    public static func localAddress(of fd: FileDescriptor) throws(Errno) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        try withUnsafeMutableBytes(of: &storage) { (raw) throws(Errno) in
            _ = try systemCall {
                getsockname(fd.rawValue, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
            }
        }
        guard let (address, _) = withUnsafeBytes(of: &storage, { SocketAddress.read(from: $0.baseAddress!, length: length) })
        else { throw Errno.addressFamilyNotSupported }
        return address
    }

    /// Makes a blocking receive on `fd` give up after `milliseconds` (SO_RCVTIMEO): a receive that
    /// times out fails with EAGAIN, which ``DatagramReceiver/receive(from:wait:)`` reports as 0
    /// datagrams. The option belongs to the socket, so it holds for every process sharing it.
    ///
    /// Corresponds to setsockopt(2).
    public static func setReceiveTimeout(_ fd: FileDescriptor, milliseconds: Int) throws(Errno) {
        var t = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        _ = try systemCall {
            setsockopt(fd.rawValue, SOL_SOCKET, SO_RCVTIMEO, &t, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    /// The receive timeout of `fd` in milliseconds (0: a blocking receive waits for ever).
    ///
    /// Corresponds to getsockopt(2).
    public static func receiveTimeout(of fd: FileDescriptor) throws(Errno) -> Int {
        var t = timeval()
        var length = socklen_t(MemoryLayout<timeval>.size)
        _ = try systemCall { getsockopt(fd.rawValue, SOL_SOCKET, SO_RCVTIMEO, &t, &length) }
        return t.tv_sec * 1000 + t.tv_usec / 1000
    }

    /// The effective SO_RCVBUF (the kernel reports twice the size asked for).
    ///
    /// Corresponds to getsockopt(2).
    public static func receiveBufferSize(of fd: FileDescriptor) throws(Errno) -> Int {
        Int(try getOption(fd, SOL_SOCKET, SO_RCVBUF))
    }

    /// Sends one datagram.
    ///
    /// Corresponds to sendto(2).
    @discardableResult
    public static func send(
        _ bytes: UnsafeRawBufferPointer, to destination: SocketAddress, on fd: FileDescriptor
    ) throws(Errno) -> Int {
        try destination.withSockaddr { (sa, length) throws(Errno) in
            try systemCall { sendto(fd.rawValue, bytes.baseAddress, bytes.count, 0, sa, length) }
        }
    }
}

/// setsockopt(2) with an int value.
func setOption(_ fd: FileDescriptor, _ level: CInt, _ name: CInt, _ value: CInt) throws(Errno) {
    var v = value
    _ = try systemCall { setsockopt(fd.rawValue, level, name, &v, socklen_t(MemoryLayout<CInt>.size)) }
}

/// getsockopt(2) with an int value.
func getOption(_ fd: FileDescriptor, _ level: CInt, _ name: CInt) throws(Errno) -> CInt {
    var v: CInt = 0
    var length = socklen_t(MemoryLayout<CInt>.size)
    _ = try systemCall { getsockopt(fd.rawValue, level, name, &v, &length) }
    return v
}
