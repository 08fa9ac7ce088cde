/// Streams the entries of a reservations array into ``Reservation`` values, recording every
/// per-entry problem. Cross-entry checks (duplicates) run afterwards over the finished array.
struct ReservationParser {
    let source: String
    let subnets: SubnetMatcher
    var errors = DiagnosticList(limit: ReservationLoader.diagnosticLimit)
    var warnings = DiagnosticList(limit: ReservationLoader.diagnosticLimit)
    /// One per entry, in file order; unusable values are placeholders (see ``unusable``).
    var reservations: [Reservation] = []
    /// Entries with a missing or invalid `ipv4`/`ipv6_na`/`ipv6_pd`: those fields take no part in
    /// duplicate checks.
    var unusable: [Int32: FieldSet] = [:]
    /// When set, messages name the entry by this instead of `source[INDEX]` (single entries of a
    /// management change request, e.g. `reservation-add.reservation`).
    var label: String?
    /// `ms_classless_routes` of config.json: a reservation's `classless_routes` also sets 249.
    let msClasslessRoutes: Bool
    /// Options objects already parsed, by family byte + exact text (see `options`).
    var optionMemo: [[UInt8]: DHCPOptionSet] = [:]
    /// Distinct options texts remembered at most (a file of all-different objects stays bounded).
    static let optionMemoLimit = 4096
    /// Whether entries in the plain shape take the fast path (``parsePlainEntry(_:index:)``);
    /// tests turn it off to compare the two.
    var readsPlainEntries = true
    /// The memo of the last load whose entries may be taken instead of parsed (nil: parse all).
    var memo: ReservationMemo.Stored?
    /// Whether each entry's hash is recorded (``entryHashes``, ``parseAgain``) for the next memo.
    var remembers = false
    /// Per entry, in file order, the hash of its bytes (when ``remembers``).
    var entryHashes: [EntryHash] = []
    /// Per entry, in file order, its length in bytes (when ``remembers``).
    var entryLengths: [UInt32] = []
    /// Positions of the entries the next load must parse again (they gave a message).
    var parseAgain: [Int] = []
    /// Entries taken from ``memo``, and entries looked up there in vain.
    var reusedCount = 0
    var memoMisses = 0
    /// The memo index of each entry taken from it, in file order (to tell whether some memo
    /// entry was taken twice).
    var memoTaken: [Int32] = []
    /// Positions of the entries parsed rather than taken from the memo (when ``remembers``).
    var parsedPositions: [Int] = []
    /// The memo entry compared first with the next entry (see ``parseOrReuseEntry(_:index:)``).
    var memoCursor = 0

    init(source: String, subnets: [SubnetV4], msClasslessRoutes: Bool = false) {
        self.init(source: source, matcher: SubnetMatcher(subnets), msClasslessRoutes: msClasslessRoutes)
    }

    init(source: String, matcher: SubnetMatcher, msClasslessRoutes: Bool) {
        self.source = source
        self.subnets = matcher
        self.msClasslessRoutes = msClasslessRoutes
    }

    /// What one entry's fields parsed to.
    struct Draft {
        var ipv4: IPv4Address?
        var ipv6NA: IPv6Address?
        var ipv6PD: IPv6Prefix?
        var mac: MACAddress?
        var duid: DUID?
        var option82: Option82?
        var option1837: Option1837?
        /// `options_v4` / `v4_lease_time` and `options_v6` / `v6_lease_time` (nil until one of
        /// them is read, so an entry without options touches no option set).
        var optionsV4: DHCPOptionSet?
        var optionsV6: DHCPOptionSet?
        /// Fields that appeared, `null` included (to catch repeats).
        var seen = FieldSet()
        /// Fields given (not null), valid or not.
        var given = FieldSet()
        /// Fields given but invalid.
        var invalid = FieldSet()
    }

    func location(_ index: Int, _ field: ReservationField? = nil, _ member: String? = nil) -> String {
        var s = label ?? "\(source)[\(index)]"
        if let field { s += "." + field.name }
        if let member { s += "." + member }
        return s
    }

    mutating func error(_ index: Int, _ field: ReservationField?, member: String? = nil, _ message: String) {
        errors.append(Diagnostic(.error, location(index, field, member), message))
    }

    mutating func warning(_ index: Int, _ field: ReservationField?, _ message: String) {
        warnings.append(Diagnostic(.warning, location(index, field), message))
    }

    mutating func parseArray(_ r: inout JSONReader) throws(JSONSyntaxError) {
        let kind = try r.nextKind()
        guard kind == .array else {
            errors.append(Diagnostic(.error, source, "expected an array of reservations, got \(kind.withArticle)"))
            try r.skipValue()
            return
        }
        try r.beginArray()
        let start = r.offset
        while try r.nextElement() {
            try parseOrReuseEntry(&r, index: reservations.count)
            if reservations.count == ReservationParser.sampleSize { reserveForRest(&r, since: start) }
        }
    }

    /// Entries looked at before guessing how many there are in all.
    static let sampleSize = 1024

    /// Reserves room for the entries still to come, judged from the size of the first ones, so
    /// that a large file is not copied again and again as the array grows. Untouched capacity
    /// costs address space, not memory.
    private mutating func reserveForRest(_ r: inout JSONReader, since start: Int) {
        let bytesPerEntry = max(1, (r.offset - start) / reservations.count)
        let remaining = (r.bytes.count - r.offset) / bytesPerEntry
        reservations.reserveCapacity(reservations.count + remaining + remaining / 8)
        if remembers {
            entryHashes.reserveCapacity(reservations.capacity)
            entryLengths.reserveCapacity(reservations.capacity)
        }
    }

    mutating func parseEntry(_ r: inout JSONReader, index: Int) throws(JSONSyntaxError) {
        if readsPlainEntries && parsePlainEntry(&r, index: index) { return }
        var d = Draft()
        let kind = try r.nextKind()
        if kind != .object {
            error(index, nil, "expected a reservation object, got \(kind.withArticle)")
            try r.skipValue()
            d.invalid = .all
        } else {
            try r.beginObject()
            while let key = try r.nextKeyToken() { try parseField(&r, key, index, &d) }
            check(&d, index)
        }
        append(&d, index)
    }

    /// Stores the entry (placeholders for unusable required fields), moving its keys out of `d`.
    mutating func append(_ d: inout Draft, _ index: Int) {
        let bad = FieldSet(bits: (d.invalid.bits | ~d.given.bits) & FieldSet.required.bits)
        if !bad.isEmpty { unusable[Int32(index)] = bad }
        reservations.append(Reservation(
            ipv4: d.ipv4 ?? .any, ipv6NA: d.ipv6NA ?? .any,
            ipv6PD: d.ipv6PD ?? IPv6Prefix(address: .any, prefixLength: 0),
            mac: d.mac, duid: d.duid.take(), option82: d.option82.take(), option1837: d.option1837.take()))
        // Set in place: an entry without options is appended exactly as before options existed.
        if let set = d.optionsV4.take() { reservations[reservations.count - 1].optionsV4 = set }
        if let set = d.optionsV6.take() { reservations[reservations.count - 1].optionsV6 = set }
    }

    /// Per-entry rules once all fields are read: required fields, keys, subnet.
    mutating func check(_ d: inout Draft, _ index: Int) {
        if d.given.bits & FieldSet.required.bits != FieldSet.required.bits {
            for f in ReservationField.required where !d.given.contains(f) {
                error(index, f, "missing required field")
            }
        }
        let anyKeyGiven = (d.given.bits | d.invalid.bits) & FieldSet.keys.bits != 0
        if !anyKeyGiven {
            error(index, nil, "no key, so it can never match; give at least one of \(ReservationField.keyList)")
        } else if d.mac == nil && d.option82 == nil && !d.invalid.contains(.mac) && !d.invalid.contains(.option82) {
            warning(index, nil, "only DHCPv6 keys (duid, option1837): not reachable over DHCPv4")
        }
        if let a = d.ipv4 {
            if let problem = subnetProblem(a) {
                error(index, .ipv4, problem)
                d.invalid.insert(.ipv4)
            }
        }
    }

    /// Why `a` cannot be an entry's `ipv4`: outside every subnet, or the gateway, network or
    /// broadcast address of its subnet.
    func subnetProblem(_ a: IPv4Address) -> String? {
        guard let i = subnets.subnet(containing: a) else { return "\(a) is not inside any subnets_v4 net" }
        return subnets.reservedRole(of: a, inSubnet: i).map { "\(a) \($0)" }
    }
}
