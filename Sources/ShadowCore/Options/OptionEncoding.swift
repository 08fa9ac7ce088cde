/// The wire payloads of the option values (without code and length), built once at load time.
enum OptionEncoding {
    /// Big-endian, the low `bytes` bytes of `value`.
    static func unsigned(_ value: UInt32, bytes: Int) -> [UInt8] {
        (0..<bytes).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) }
    }

    static func signed32(_ value: Int32) -> [UInt8] { unsigned(UInt32(bitPattern: value), bytes: 4) }

    static func ipv4List(_ addresses: [IPv4Address]) -> [UInt8] {
        addresses.flatMap { unsigned($0.value, bytes: 4) }
    }

    static func ipv6List(_ addresses: [IPv6Address]) -> [UInt8] { addresses.flatMap(\.bytes) }

    /// RFC 3442 section 3: per route the prefix length, the significant octets of the destination
    /// (⌈length / 8⌉ of them) and the router.
    static func classlessRoutes(_ routes: [(net: IPv4Network, router: IPv4Address)]) -> [UInt8] {
        var out: [UInt8] = []
        for route in routes {
            out.append(route.net.prefixLength)
            let significant = (Int(route.net.prefixLength) + 7) / 8
            out.append(contentsOf: unsigned(route.net.network.value, bytes: 4).prefix(significant))
            out.append(contentsOf: unsigned(route.router.value, bytes: 4))
        }
        return out
    }

    /// RFC 5908 section 4: suboption NTP_SUBOPTION_SRV_ADDR (1), length 16, the address — one per
    /// server.
    static func ntpServers(_ addresses: [IPv6Address]) -> [UInt8] {
        addresses.flatMap { [0, ntpSubOptionServerAddress, 0, 16] + $0.bytes }
    }

    static let ntpSubOptionServerAddress: UInt8 = 1

    /// RFC 3925 section 4: per vendor the enterprise number, a one-byte data length and the data.
    static func vendorList(_ vendors: [(enterprise: UInt32, data: [UInt8])]) -> [UInt8] {
        vendors.flatMap { unsigned($0.enterprise, bytes: 4) + [UInt8($0.data.count)] + $0.data }
    }

    /// RFC 8415 21.17: the enterprise number, then the vendor's option data.
    static func vendorOption(enterprise: UInt32, data: [UInt8]) -> [UInt8] {
        unsigned(enterprise, bytes: 4) + data
    }
}
