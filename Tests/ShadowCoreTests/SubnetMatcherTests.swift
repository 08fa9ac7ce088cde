import Testing
@testable import ShadowCore

/// Both ways of finding an address's `subnets_v4` entry — one by one for a few subnets, tables per
/// prefix length for many — give the same first subnet in file order, and the same roles.
@Suite("SubnetMatcher: compared one by one and through tables")
struct SubnetMatcherTests {
    /// Nested and repeated nets of several lengths in 198.51.100.0/24 and 203.0.113.0/24.
    static let subnets: [SubnetV4] = [
        ("198.51.100.0/26", "198.51.100.1"), ("198.51.100.0/24", "198.51.100.254"), ("198.51.100.64/26", "198.51.100.65"),
        ("203.0.113.128/25", "203.0.113.129"), ("198.51.100.0/26", "198.51.100.2"), ("203.0.113.0/24", "203.0.113.1"),
        ("203.0.113.200/30", "203.0.113.201"), ("203.0.113.202/31", "203.0.113.202"), ("203.0.113.203/32", "203.0.113.203"),
        ("198.51.100.128/25", "198.51.100.129"), ("198.51.100.192/27", "198.51.100.193"),
    ].map { SubnetV4(net: IPv4Network($0.0)!, gateway: IPv4Address($0.1)!) }

    @Test(arguments: [1, 3, subnets.count])
    func bothWaysAgree(count: Int) {
        let subnets = Array(Self.subnets.prefix(count))
        let linear = SubnetMatcher(subnets, linearLimit: subnets.count)
        let tables = SubnetMatcher(subnets, linearLimit: 0)
        for base in [IPv4Address(198, 51, 100, 0).value, IPv4Address(203, 0, 113, 0).value, IPv4Address(192, 0, 2, 0).value] {
            for low in UInt32(0)...255 {
                let a = IPv4Address(base + low)
                let i = linear.subnet(containing: a)
                #expect(i == tables.subnet(containing: a), "\(a)")
                if let i {
                    #expect(i == subnets.firstIndex { $0.net.contains(a) }, "\(a)")
                    #expect(linear.reservedRole(of: a, inSubnet: i) == tables.reservedRole(of: a, inSubnet: i))
                }
            }
        }
    }
}
