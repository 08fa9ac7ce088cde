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
        let second = UInt8(20 + CurrentProcess.id % 200)
        for _ in 0..<1000 {
            let n = counter.add(1, ordering: .relaxed).newValue
            let candidate = IPv4Address(127, second, UInt8(truncatingIfNeeded: n / 250), UInt8(n % 250 + 2))
            if isFree(.v4(candidate, port: port)) { return candidate }
        }
        throw TestingError("no free loopback address for UDP port \(port) in 127.\(second).0.0/16")
    }

    /// A UDP port on ::1 that is free now, below the kernel's ephemeral range (32768 and up on
    /// Linux), so that no relay socket bound to port 0 can take it between a server's stop and
    /// its restart on the same directory.
    public static func freeIPv6Port() throws -> UInt16 {
        let offset = UInt32(CurrentProcess.id % 100) * 120
        for _ in 0..<1000 {
            let n = counter.add(1, ordering: .relaxed).newValue
            let candidate = UInt16(20_000 + (offset + n) % 12_000)
            if isFree(.v6(.loopback, port: candidate)) { return candidate }
        }
        throw TestingError("no free UDP port on ::1 in 20000-31999")
    }

    static func isFree(_ address: SocketAddress) -> Bool {
        guard let fd = try? UDPSocket.bind(address, receiveBufferSize: 0) else { return false }
        try? fd.close()
        return true
    }
}
