import Glibc
import ShadowCore

extension SocketAddress {
    /// Whether this is an IPv6 endpoint.
    public var isIPv6: Bool {
        if case .v6 = self { return true }
        return false
    }

    /// Writes this address as a `sockaddr_in` or `sockaddr_in6` at `storage`, which must have
    /// room for a `sockaddr_storage` and be suitably aligned. Returns the length written.
    /// `scopeID` is used for IPv6 only (the interface index of a link-local address, else 0).
    @discardableResult
    public func write(to storage: UnsafeMutableRawPointer, scopeID: UInt32 = 0) -> socklen_t {
        switch self {
        case .v4(let address, let port):
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = port.bigEndian
            sa.sin_addr.s_addr = address.value.bigEndian
            storage.storeBytes(of: sa, as: sockaddr_in.self)
            return socklen_t(MemoryLayout<sockaddr_in>.size)
        case .v6(let address, let port):
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = port.bigEndian
            sa.sin6_scope_id = scopeID
            withUnsafeMutableBytes(of: &sa.sin6_addr) { raw in
                raw.storeBytes(of: address.high.bigEndian, toByteOffset: 0, as: UInt64.self)
                raw.storeBytes(of: address.low.bigEndian, toByteOffset: 8, as: UInt64.self)
            }
            storage.storeBytes(of: sa, as: sockaddr_in6.self)
            return socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
    }

    /// Calls `body` with this address as a `sockaddr` pointer and its length.
    public func withSockaddr<R, E: Error>(
        scopeID: UInt32 = 0, _ body: (UnsafePointer<sockaddr>, socklen_t) throws(E) -> R
    ) throws(E) -> R {
        var storage = sockaddr_storage()
        let length = withUnsafeMutableBytes(of: &storage) { write(to: $0.baseAddress!, scopeID: scopeID) }
        return try withUnsafeBytes(of: &storage) { (raw) throws(E) -> R in
            try body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    /// Reads a `sockaddr_in` or `sockaddr_in6` of `length` bytes at `storage` (aligned as a
    /// `sockaddr_storage`). Returns nil for any other family or a short length. The IPv6 scope
    /// id, which ``SocketAddress`` does not hold, is returned alongside.
    public static func read(from storage: UnsafeRawPointer, length: socklen_t) -> (SocketAddress, scopeID: UInt32)? {
        guard length >= MemoryLayout<sa_family_t>.size else { return nil }
        let family = storage.load(as: sa_family_t.self)
        if family == sa_family_t(AF_INET), length >= MemoryLayout<sockaddr_in>.size {
            let sa = storage.load(as: sockaddr_in.self)
            return (.v4(IPv4Address(UInt32(bigEndian: sa.sin_addr.s_addr)), port: UInt16(bigEndian: sa.sin_port)), 0)
        }
        if family == sa_family_t(AF_INET6), length >= MemoryLayout<sockaddr_in6>.size {
            let sa = storage.load(as: sockaddr_in6.self)
            let (high, low) = withUnsafeBytes(of: sa.sin6_addr) { raw in
                (UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                 UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            }
            return (.v6(IPv6Address(high: high, low: low), port: UInt16(bigEndian: sa.sin6_port)), sa.sin6_scope_id)
        }
        return nil
    }
}
