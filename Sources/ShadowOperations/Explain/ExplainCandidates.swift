import ShadowCore

/// For a client the lookup does not find: reservations it nearly matches — a key the configured
/// extractors do not produce but another extractor would, or its MAC written into another key in
/// another spelling. Every probe is the snapshot's own index and the extractors' own code.
struct ExplainCandidates {
    let snapshot: ReservationSnapshot
    let config: ServerConfig

    /// One near match: the entry and why.
    struct Candidate: Equatable {
        var entry: Int
        var why: String
    }

    func v4(mac: MACAddress?, option82: Option82?) -> [Candidate] {
        var out: [Candidate] = []
        if let mac { out += macInOption82(mac) }
        if let option82 {
            for e in Option82Extractor.allCases where !config.option82Extractors.contains(e) {
                if let key = e.extract(option82), let i = snapshot.index(option82: key) {
                    out.append(Candidate(entry: i, why: "Option 82 extractor \(e.name) (not configured) gives "
                                         + "\(ReservationKey.option82(key)), the option82 of entry \(i)"))
                }
            }
            if let remote = option82.remote, let m = MACAddress(remote), let i = snapshot.index(mac: m) {
                out.append(Candidate(entry: i, why: "the remote-id \"\(remote)\" is the MAC \(m) of entry \(i) "
                                     + "(its mac key, which DHCPv4 matches against chaddr only)"))
            }
        }
        return Self.unique(out)
    }

    func v6(duid: DUID?, option1837: Option1837?, macInput: MACExtractionInput) -> [Candidate] {
        var out: [Candidate] = []
        if let option1837 {
            for e in Option1837Extractor.allCases where !config.option1837Extractors.contains(e) {
                if let key = e.extract(option1837), let i = snapshot.index(option1837: key) {
                    out.append(Candidate(entry: i, why: "Option 18/37 extractor \(e.name) (not configured) gives "
                                         + "\(ReservationKey.option1837(key)), the option1837 of entry \(i)"))
                }
            }
        }
        var macs: [MACAddress] = []
        for e in MACExtractor.allCases {
            guard let mac = e.extract(macInput) else { continue }
            if !macs.contains(mac) { macs.append(mac) }
            if !config.macExtractors.contains(e), let i = snapshot.index(mac: mac) {
                out.append(Candidate(entry: i, why: "MAC extractor \(e.name) (not configured) gives \(mac), "
                                     + "the mac of entry \(i)"))
            }
        }
        for mac in macs {
            for c in macInOption82(mac) {
                out.append(Candidate(entry: c.entry, why: c.why + "; DHCPv6 reaches it only through a binding "
                                     + "learned when this MAC gets its DHCPv4 lease (lease_fallback)"))
            }
        }
        return Self.unique(out)
    }

    /// Reservations whose Option 82 is `{"remote": <mac in some spelling>}`.
    private func macInOption82(_ mac: MACAddress) -> [Candidate] {
        var out: [Candidate] = []
        for spelling in Self.spellings(mac) {
            if let i = snapshot.index(option82: Option82(remote: spelling)) {
                out.append(Candidate(entry: i, why: "entry \(i) has option82 {\"remote\":\"\(spelling)\"}, "
                                     + "this MAC in another form"))
            }
        }
        return out
    }

    /// The usual ways to write a MAC, each in both letter cases.
    static func spellings(_ mac: MACAddress) -> [String] {
        let hex = mac.bytes.map { b in String(b >> 4, radix: 16) + String(b & 0xF, radix: 16) }
        let plain = hex.joined()
        let dotted = stride(from: 0, to: 12, by: 4).map { i in
            String(plain[plain.index(plain.startIndex, offsetBy: i)..<plain.index(plain.startIndex, offsetBy: i + 4)])
        }.joined(separator: ".")
        let lower = [hex.joined(separator: "-"), hex.joined(separator: ":"), plain, dotted]
        var out: [String] = []
        for s in lower + lower.map({ $0.uppercased() }) where !out.contains(s) { out.append(s) }
        return out
    }

    private static func unique(_ list: [Candidate]) -> [Candidate] {
        var out: [Candidate] = []
        for c in list where !out.contains(c) { out.append(c) }
        return out
    }
}
