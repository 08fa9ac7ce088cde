/// The three levels of options that apply to one client: the top of `config.json`, the client's
/// subnet (`subnets_v4[]` / `subnets_v6[]` entry) and its reservation. Merged key by key, most
/// specific first: reservation over subnet over top; the winning entry's `alwaysSend` applies.
///
/// Nothing is merged ahead of time: a reply asks for the winner of one code at a time (at most
/// three binary searches) or walks every winner in code order (a merge of three sorted arrays), so
/// building a reply allocates nothing.
public struct DHCPOptionLevels: Sendable {
    public var top: DHCPOptionSet
    public var subnet: DHCPOptionSet
    public var reservation: DHCPOptionSet

    public init(top: DHCPOptionSet, subnet: DHCPOptionSet = .empty, reservation: DHCPOptionSet = .empty) {
        self.top = top
        self.subnet = subnet
        self.reservation = reservation
    }

    /// Whether no level sets any option (the lease time aside).
    @inlinable
    public var hasNoEntries: Bool { top.entries.isEmpty && subnet.entries.isEmpty && reservation.entries.isEmpty }

    /// The entry that applies for `code`: the reservation's, else the subnet's, else the top level's.
    @inlinable
    public func winner(code: UInt16) -> DHCPOptionSet.Entry? {
        if !reservation.entries.isEmpty, let e = reservation.entry(code: code) { return e }
        if !subnet.entries.isEmpty, let e = subnet.entry(code: code) { return e }
        if !top.entries.isEmpty, let e = top.entry(code: code) { return e }
        return nil
    }

    /// The lease time that applies: the reservation's, else the subnet's; nil means the top level's
    /// (``ServerConfig/leases``).
    @inlinable
    public var leaseTime: UInt32? { reservation.leaseTime ?? subnet.leaseTime }

    /// Calls `body` with every winning entry, in ascending code order.
    @inlinable
    public func forEachWinner(_ body: (DHCPOptionSet.Entry) -> Void) {
        let r = reservation.entries, s = subnet.entries, t = top.entries
        var i = 0, j = 0, k = 0
        while i < r.count || j < s.count || k < t.count {
            let cr = i < r.count ? Int(r[i].code) : Int.max
            let cs = j < s.count ? Int(s[j].code) : Int.max
            let ct = k < t.count ? Int(t[k].code) : Int.max
            let code = min(cr, cs, ct)
            if cr == code { body(r[i]) } else if cs == code { body(s[j]) } else { body(t[k]) }
            if cr == code { i += 1 }
            if cs == code { j += 1 }
            if ct == code { k += 1 }
        }
    }

    /// The merged set (for `lookup`, `explain` and tests; replies use ``winner(code:)`` and
    /// ``forEachWinner(_:)``, which allocate nothing).
    public var merged: DHCPOptionSet {
        var entries: [DHCPOptionSet.Entry] = []
        forEachWinner { entries.append($0) }
        return DHCPOptionSet(entries: entries, leaseTime: leaseTime)
    }
}
