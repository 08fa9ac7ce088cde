import ShadowCore

/// Five configured options per protocol for `bench-worker --options`, as the loader would encode
/// them: three at the top level and two in the (first) subnet, so the reply merges two levels.
enum BenchOptions {
    /// domain_name (15), ntp_servers (42), mtu (26) at the top; domain_search (119) and
    /// classless_routes (121) in the subnet.
    static let v4Codes: [UInt8] = [15, 42, 26, 119, 121]
    /// domain_search (24), ntp_servers (56), sol_max_rt (82) at the top; sntp_servers (31) and
    /// inf_max_rt (83) in the `subnets_v6` entry of the bench relay's link (::1).
    static let v6Codes: [UInt16] = [24, 56, 82, 31, 83]

    static func configure(_ c: inout ServerConfig) {
        typealias Entry = DHCPOptionSet.Entry
        let name = [7] + Array("example".utf8) + [3] + Array("net".utf8) + [0] as [UInt8]
        c.optionsV4 = DHCPOptionSet(entries: [Entry(code: 15, payload: Array("example.net".utf8)),
                                              Entry(code: 42, payload: [192, 0, 2, 123, 198, 51, 100, 123]),
                                              Entry(code: 26, payload: [0x05, 0xD4])])
        for i in c.subnetsV4.indices {
            c.subnetsV4[i].options = DHCPOptionSet(entries: [Entry(code: 119, payload: name),
                                                            Entry(code: 121, payload: [8, 10, 192, 0, 2, 1])])
        }
        let ntp = [0, 1, 0, 16] + IPv6Address("2001:db8::123")!.bytes as [UInt8]
        c.optionsV6 = DHCPOptionSet(entries: [Entry(code: 24, payload: name), Entry(code: 56, payload: ntp),
                                              Entry(code: 82, payload: [0, 0, 0x0E, 0x10])])
        c.subnetsV6 = [SubnetV6(link: IPv6Prefix("::/64")!,
                                options: DHCPOptionSet(entries: [Entry(code: 31, payload: IPv6Address("2001:db8::124")!.bytes),
                                                                 Entry(code: 83, payload: [0, 0, 0x0E, 0x10])]))]
    }
}
