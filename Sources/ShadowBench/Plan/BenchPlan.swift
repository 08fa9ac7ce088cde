import ShadowCore

/// The deterministic subscribers of a benchmark: subscriber `i` (0 ..< ``count``) has the same keys
/// and addresses in the generated `reservations.json` and in the packets the load generator sends,
/// so the load needs nothing but the count to know what every reply must contain.
///
/// Payload addresses come from ranges reserved for documentation and shared address space:
/// IPv4 from 100.64.0.0/10, IPv6 from 2001:db8::/32.
///
/// By default every reservation is keyed by MAC and DUID, so serving it teaches the server no
/// binding. With ``Keying/option82`` subscriber `i` is keyed only by the Option 82 circuit
/// `sub-<i>` (``circuitID(_:)``), which the load's relay sends: every ACK teaches the server the
/// binding MAC → circuit, and DHCPv6 finds the reservation only through that binding.
public struct BenchPlan: Sendable, Hashable {
    /// What the generated reservations are keyed by.
    public enum Keying: Sendable, Hashable {
        /// `mac` and `duid` (the default).
        case mac
        /// Only `option82.circuit` = `sub-<i>`; the server's extractor is `circuit_only`.
        case option82
    }

    /// 100.64.0.0/10 holds 4,194,304 addresses; the first two are the network and the gateway.
    public static let maximumCount = 4_000_000

    /// The one subnet every reservation lies in.
    public static let subnet = IPv4Network(address: IPv4Address(100, 64, 0, 0), prefixLength: 10)
    /// Option 3 of every subscriber.
    public static let gateway = IPv4Address(100, 64, 0, 1)
    /// Option 6.
    public static let dnsV4 = [IPv4Address(192, 0, 2, 53)]
    /// DHCPv6 option 23.
    public static let dnsV6 = [IPv6Address(high: 0x2001_0db8_0000_0000, low: 0x53)]
    /// `ids.v6`: a DUID-LL whose MAC (06:…) no subscriber has.
    public static let serverDUID: [UInt8] = [0, 3, 0, 1, 0x06, 0, 0, 0, 0, 1]

    /// How many subscribers.
    public let count: Int
    /// What the reservations are keyed by.
    public let keying: Keying

    /// - Precondition: `1 ... maximumCount`.
    public init(count: Int, keying: Keying = .mac) {
        precondition(count >= 1 && count <= BenchPlan.maximumCount, "count must be 1...\(BenchPlan.maximumCount)")
        self.count = count
        self.keying = keying
    }

    /// Subscriber `i`'s MAC: 02:00:xx:xx:xx:xx (locally administered, unicast).
    public func mac(_ i: Int) -> MACAddress { MACAddress(value: 0x0200_0000_0000 | UInt64(i)) }

    /// Subscriber `i`'s DUID: DUID-LL (type 3, hardware type 1) of its MAC, 10 bytes.
    public func duid(_ i: Int) -> [UInt8] { [0, 3, 0, 1] + mac(i).bytes }

    /// Subscriber `i`'s IPv4 address: 100.64.0.2 + i.
    public func ipv4(_ i: Int) -> IPv4Address { IPv4Address(BenchPlan.subnet.address.value + 2 + UInt32(i)) }

    /// Subscriber `i`'s IA_NA address: 2001:db8:1::(i+1).
    public func ipv6NA(_ i: Int) -> IPv6Address { IPv6Address(high: 0x2001_0db8_0001_0000, low: UInt64(i) + 1) }

    /// Subscriber `i`'s delegated /56: 2001:db8:8000::/33 cut into /56s.
    public func ipv6PD(_ i: Int) -> IPv6Prefix {
        IPv6Prefix(address: IPv6Address(high: 0x2001_0db8_8000_0000 | UInt64(i) << 8, low: 0), prefixLength: 56)
    }

    /// Subscriber `i`'s Option 82 circuit with ``Keying/option82``: `sub-<i>`.
    public func circuitID(_ i: Int) -> String { "sub-\(i)" }

    /// Calls `body` with ``circuitID(_:)`` as bytes in a stack buffer (the load generator allocates
    /// nothing per packet).
    public func withCircuitID<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeTemporaryAllocation(byteCount: 24, alignment: 1) { buffer in
            for (k, c) in "sub-".utf8.enumerated() { buffer[k] = c }
            var digits = 0
            var rest = i
            repeat { digits += 1; rest /= 10 } while rest > 0
            rest = i
            for k in stride(from: 3 + digits, through: 4, by: -1) {
                buffer[k] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            return body(UnsafeRawBufferPointer(rebasing: buffer[0..<(4 + digits)]))
        }
    }

    /// The subscriber with this MAC, if it belongs to the plan.
    public func subscriber(mac: MACAddress) -> Int? {
        guard mac.value >> 32 == 0x0200 else { return nil }
        let i = Int(mac.value & 0xFFFF_FFFF)
        return i < count ? i : nil
    }
}
