/// Answers "is this address inside any `subnets_v4` net?" in constant time for any number of
/// subnets: one set of masked networks per distinct prefix length.
struct SubnetMatcher {
    private let networks: [(mask: UInt32, members: Set<UInt32>)]

    init(_ subnets: [SubnetV4]) {
        var byLength: [UInt8: Set<UInt32>] = [:]
        for s in subnets { byLength[s.net.prefixLength, default: []].insert(s.net.network.value) }
        networks = byLength.keys.sorted().map { len in
            (IPv4Network.mask(prefixLength: len).value, byLength[len]!)
        }
    }

    func contains(_ a: IPv4Address) -> Bool {
        networks.contains { $0.members.contains(a.value & $0.mask) }
    }
}
