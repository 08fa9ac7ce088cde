import CShim
import Glibc
import SystemPackage

/// What kind of socket an inherited descriptor is.
public enum SocketKind {
    /// SO_TYPE and SO_DOMAIN of `fd`, or nil when it is not a socket (or not open: that is what
    /// is being checked, so EBADF is an answer here, not a bug).
    ///
    /// Corresponds to getsockopt(2).
    public static func of(_ fd: FileDescriptor) -> (type: CInt, domain: CInt)? {
        let type = cshim_socket_type(fd.rawValue)
        let domain = cshim_socket_domain(fd.rawValue)
        guard type >= 0, domain >= 0 else { return nil }
        return (type, domain)
    }

    /// Whether `fd` is a UDP socket (SOCK_DGRAM) of AF_INET6 when `ipv6`, else of AF_INET.
    ///
    /// Corresponds to getsockopt(2).
    public static func isUDP(_ fd: FileDescriptor, ipv6: Bool) -> Bool {
        guard let kind = of(fd) else { return false }
        return kind.type == CInt(SOCK_DGRAM.rawValue) && kind.domain == (ipv6 ? AF_INET6 : AF_INET)
    }

    /// Whether `fd` is an AF_UNIX SOCK_SEQPACKET socket.
    ///
    /// Corresponds to getsockopt(2).
    public static func isUnixSeqPacket(_ fd: FileDescriptor) -> Bool {
        guard let kind = of(fd) else { return false }
        return kind.type == CInt(SOCK_SEQPACKET.rawValue) && kind.domain == AF_UNIX
    }
}
