/// Answers "which `subnets_v4` net is this address in?" in constant time for any number of
/// subnets: one table of masked networks per distinct prefix length, each network mapped to the
/// first subnet (in file order) with that net. A few subnets (the usual case) are compared one
/// by one in file order instead, which is cheaper than hashing.
struct SubnetMatcher {
    private let subnets: [SubnetV4]
    private let networks: [(mask: UInt32, first: [UInt32: Int])]
    /// Each subnet's mask and network in file order, when there are at most ``linearLimit``.
    private let few: [(mask: UInt32, network: UInt32)]?
    static let linearLimit = 8

    /// - Parameter linearLimit: the most subnets compared one by one (tests vary it).
    init(_ subnets: [SubnetV4], linearLimit: Int = SubnetMatcher.linearLimit) {
        self.subnets = subnets
        var byLength: [UInt8: [UInt32: Int]] = [:]
        for (i, s) in subnets.enumerated() {
            let key = s.net.network.value
            if byLength[s.net.prefixLength]?[key] == nil { byLength[s.net.prefixLength, default: [:]][key] = i }
        }
        networks = byLength.keys.sorted().map { len in
            (IPv4Network.mask(prefixLength: len).value, byLength[len]!)
        }
        few = subnets.count <= linearLimit ? subnets.map { ($0.net.mask.value, $0.net.network.value) } : nil
    }

    /// The index of the first subnet (in file order) whose net contains `a`: the address's subnet.
    func subnet(containing a: IPv4Address) -> Int? {
        if let few { return few.firstIndex { a.value & $0.mask == $0.network } }
        var best: Int?
        for n in networks {
            if let i = n.first[a.value & n.mask], i < (best ?? Int.max) { best = i }
        }
        return best
    }

    func contains(_ a: IPv4Address) -> Bool { subnet(containing: a) != nil }

    /// Why `a` cannot be handed to a client of its subnet, if it cannot: it is the subnet's
    /// gateway, or the network or broadcast address of its net (nets of /30 and shorter; a /31
    /// or /32 has neither, RFC 3021).
    func reservedRole(of a: IPv4Address, inSubnet i: Int) -> String? {
        let s = subnets[i]
        if a == s.gateway { return "is the gateway of subnets_v4[\(i)] (\(s.net))" }
        guard s.net.prefixLength <= 30 else { return nil }
        if a == s.net.network { return "is the network address of subnets_v4[\(i)] (\(s.net))" }
        if a.value == s.net.network.value | ~s.net.mask.value {
            return "is the broadcast address of subnets_v4[\(i)] (\(s.net))"
        }
        return nil
    }
}
