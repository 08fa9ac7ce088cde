/// What replacing the live reservations with a new list would change (management `diff`,
/// docs/management.md), computed without applying anything.
///
/// **Matching.** An entry of the new list is the same subscriber as an entry of the live set when
/// they share an identifier (`mac`, `duid`, `option82`, `option1837` — the keys of
/// ``ReservationKey``, compared as the index compares them, after normalisation). The new entries
/// are taken in list order, and each tries its identifiers in that order against the live set's
/// index; the first live entry found that no earlier new entry took is its match. Each entry is
/// matched at most once: a new entry whose identifiers name two live entries takes the first, and
/// the other is removed unless another new entry takes it. Addresses never match entries: a
/// subscriber is who it is by its keys, and an address that goes to another subscriber is a move.
///
/// **Moves.** An address (`ipv4`, `ipv6_na`, `ipv6_pd` compared masked) that a live entry holds
/// and a new entry holds, where the new entry is not that live entry's match. Such an address
/// can only be held by a live entry that is removed or whose address changed and a new entry that
/// is added or whose address changed, so only those are compared.
public struct ReservationDiff: Sendable, Equatable {
    /// A matched pair whose fields differ.
    public struct Change: Sendable, Equatable {
        /// Position in the live snapshot.
        public var old: Int
        /// Position in the new list.
        public var new: Int
        /// The fields that differ, in the order of the persisted fields.
        public var fields: [ReservationKey.Kind]
        /// The option settings that differ (after ``fields`` in the persisted order).
        public var settings: [Setting]

        public init(old: Int, new: Int, fields: [ReservationKey.Kind], settings: [Setting] = []) {
            self.old = old
            self.new = new
            self.fields = fields
            self.settings = settings
        }
    }

    /// A reservation's option fields: changing one is a change of the entry, not a new entry.
    public enum Setting: String, Sendable, CaseIterable {
        case v4LeaseTime = "v4_lease_time", optionsV4 = "options_v4", v6LeaseTime = "v6_lease_time", optionsV6 = "options_v6"
    }

    /// An address that goes from one subscriber to another.
    public struct Move: Sendable, Equatable {
        /// `ipv4`, `ipv6NA` or `ipv6PD`.
        public var field: ReservationKey.Kind
        /// The address (a prefix masked).
        public var value: ReservationKey
        /// The live entry that holds it.
        public var old: Int
        /// The new entry that will hold it.
        public var new: Int

        public init(field: ReservationKey.Kind, value: ReservationKey, old: Int, new: Int) {
            self.field = field
            self.value = value
            self.old = old
            self.new = new
        }
    }

    /// Positions in the new list of entries no live entry matches.
    public var added: [Int] = []
    /// Positions in the live snapshot of entries no new entry matches.
    public var removed: [Int] = []
    /// Matched pairs that differ, in new-list order.
    public var changed: [Change] = []
    /// Matched pairs that are equal.
    public var unchanged = 0
    /// Addresses that change subscriber, in new-list order.
    public var moves: [Move] = []

    public init() {}

    /// The diff from `old` (the live snapshot) to `new` (a validated list).
    public init(old: ReservationSnapshot, new: [Reservation]) {
        var takenOld = [Bool](repeating: false, count: old.count)
        var matchOfNew = [Int](repeating: -1, count: new.count)
        for (j, r) in new.enumerated() {
            guard let i = Self.match(r, in: old, taken: takenOld) else { added.append(j); continue }
            takenOld[i] = true
            matchOfNew[j] = i
            let fields = Self.differences(old: old, i, new: r)
            let settings = Self.settingDifferences(old: old, i, new: r)
            if fields.isEmpty && settings.isEmpty { unchanged += 1 } else {
                changed.append(Change(old: i, new: j, fields: fields, settings: settings))
            }
        }
        for i in 0..<old.count where !takenOld[i] { removed.append(i) }
        moves = Self.moves(old: old, new: new, added: added, removed: removed, changed: changed, matchOfNew: matchOfNew)
    }

    /// The first live entry, not yet taken, that shares an identifier with `r`.
    private static func match(_ r: Reservation, in old: ReservationSnapshot, taken: [Bool]) -> Int? {
        if let m = r.mac, let i = old.index(mac: m), !taken[i] { return i }
        if let d = r.duid, let i = old.index(duid: d), !taken[i] { return i }
        if let o = r.option82, let i = old.index(option82: o), !taken[i] { return i }
        if let o = r.option1837, let i = old.index(option1837: o), !taken[i] { return i }
        return nil
    }

    /// The option settings in which live entry `i` and `r` differ.
    static func settingDifferences(old: ReservationSnapshot, _ i: Int, new r: Reservation) -> [Setting] {
        let v4 = old.optionsV4(at: i), v6 = old.optionsV6(at: i)
        var out: [Setting] = []
        if v4.leaseTime != r.optionsV4.leaseTime { out.append(.v4LeaseTime) }
        if v4.entries != r.optionsV4.entries { out.append(.optionsV4) }
        if v6.leaseTime != r.optionsV6.leaseTime { out.append(.v6LeaseTime) }
        if v6.entries != r.optionsV6.entries { out.append(.optionsV6) }
        return out
    }

    /// The fields in which live entry `i` and `r` differ.
    static func differences(old: ReservationSnapshot, _ i: Int, new r: Reservation) -> [ReservationKey.Kind] {
        var fields: [ReservationKey.Kind] = []
        if old.ipv4(at: i) != r.ipv4 { fields.append(.ipv4) }
        if old.ipv6NA(at: i) != r.ipv6NA { fields.append(.ipv6NA) }
        if old.ipv6PD(at: i).masked != r.ipv6PD.masked { fields.append(.ipv6PD) }
        if old.mac(at: i) != r.mac { fields.append(.mac) }
        if !sameDUID(old.duidBytes(at: i), r.duid) { fields.append(.duid) }
        if old.option82(at: i) != r.option82 { fields.append(.option82) }
        if old.option1837(at: i) != r.option1837 { fields.append(.option1837) }
        return fields
    }

    private static func sameDUID(_ bytes: UnsafeRawBufferPointer?, _ duid: DUID?) -> Bool {
        switch (bytes, duid) {
        case (nil, nil): true
        case (let b?, let d?): b.elementsEqual(d.bytes)
        default: false
        }
    }

    private static let addressKinds: [ReservationKey.Kind] = [.ipv4, .ipv6NA, .ipv6PD]

    /// Addresses held by a removed or changed live entry and by an added or changed new entry that
    /// is not its match.
    private static func moves(old: ReservationSnapshot, new: [Reservation], added: [Int], removed: [Int],
                              changed: [Change], matchOfNew: [Int]) -> [Move] {
        var holders: [ReservationKey: Int] = [:]
        func hold(_ i: Int, _ kinds: [ReservationKey.Kind]) {
            for k in kinds { holders[address(k, old, i)] = i }
        }
        for i in removed { hold(i, addressKinds) }
        for c in changed { hold(c.old, c.fields.filter(addressKinds.contains)) }
        guard !holders.isEmpty else { return [] }
        var candidates: [(j: Int, kinds: [ReservationKey.Kind])] = added.map { ($0, addressKinds) }
        candidates += changed.map { ($0.new, $0.fields.filter(addressKinds.contains)) }
        candidates.sort { $0.j < $1.j }
        var moves: [Move] = []
        for (j, kinds) in candidates {
            for k in kinds {
                guard let key = ReservationKey.of(k, in: new[j]), let i = holders[key], matchOfNew[j] != i else { continue }
                moves.append(Move(field: k, value: key, old: i, new: j))
            }
        }
        return moves
    }

    /// Live entry `i`'s address of kind `k` as a key.
    private static func address(_ k: ReservationKey.Kind, _ old: ReservationSnapshot, _ i: Int) -> ReservationKey {
        switch k {
        case .ipv4: .ipv4(old.ipv4(at: i))
        case .ipv6NA: .ipv6NA(old.ipv6NA(at: i))
        default: .ipv6PD(old.ipv6PD(at: i).masked)
        }
    }

    /// How many of the removed and changed live entries were served recently, asking
    /// `lastServed` (nil: unknown, when the last-served times could not be had).
    public func servedRecently(_ lastServed: LastServedLookup?) -> Int? {
        guard let lastServed else { return nil }
        return removed.count(where: { lastServed($0) }) + changed.count(where: { lastServed($0.old) })
    }
}

/// Whether the live entry at a snapshot position was answered (an ACK or a Reply) within its
/// lease time — online in the sense of the `online` command. `diff` counts it through
/// ``ReservationDiff/servedRecently(_:)``.
public typealias LastServedLookup = @Sendable (_ position: Int) -> Bool
