import Glibc
import ShadowCore
import ShadowSystem
import Synchronization

/// Loopback addresses and ports no other test (or other process on the machine) is using, so
/// that servers and relays of tests running in parallel never share a socket.
public enum Loopback {
    private static let counter = Atomic<UInt32>(0)

    /// A 127.0.0.0/8 address on which `port` is free now (checked by binding it). The second octet
    /// comes from the process id, so two test runs on one machine start from different places.
    public static func freeIPv4(port: UInt16) throws -> IPv4Address {
        let second = UInt8(20 + getpid() % 200)
        for _ in 0..<1000 {
            let n = counter.add(1, ordering: .relaxed).newValue
            let candidate = IPv4Address(127, second, UInt8(truncatingIfNeeded: n / 250), UInt8(n % 250 + 2))
            if isFree(.v4(candidate, port: port)) { return candidate }
        }
        throw TestingError("no free loopback address for UDP port \(port) in 127.\(second).0.0/16")
    }

    /// A UDP port on ::1 that is free now (the kernel's choice of an ephemeral port).
    public static func freeIPv6Port() throws -> UInt16 {
        let fd = try UDPSocket.bind(.v6(.loopback, port: 0), receiveBufferSize: 0)
        defer { try? fd.close() }
        return try UDPSocket.localAddress(of: fd).port
    }

    static func isFree(_ address: SocketAddress) -> Bool {
        guard let fd = try? UDPSocket.bind(address, receiveBufferSize: 0) else { return false }
        try? fd.close()
        return true
    }
}
