/// Loads a reservations array (the `reservations.json` file or the `reservations` member of a
/// management `replace` request) and validates it as a whole.
///
/// All-or-nothing: the result is every reservation plus the warnings, or every error found (each
/// as `<source>[INDEX].FIELD: message`). Host bits of `ipv6_pd` are cleared (a warning).
public enum ReservationLoader {
    /// Loads a whole file: one JSON array and nothing after it.
    ///
    /// - Parameters:
    ///   - bytes: the file contents.
    ///   - subnets: `subnets_v4` of the configuration; every `ipv4` must be inside one of them.
    ///   - source: what messages call the array, e.g. `reservations.json`.
    ///   - msClasslessRoutes: config.json's `ms_classless_routes` (a reservation's
    ///     `classless_routes` then also sets option 249).
    ///   - work: threads a large array may be parsed on (``ParallelWork/serial``: this one).
    public static func load(_ bytes: [UInt8], subnets: [SubnetV4], source: String = "reservations.json",
                            msClasslessRoutes: Bool = false, work: ParallelWork = .serial)
        throws(LoadError) -> Loaded<[Reservation]> {
        try JSONReader.withReader(bytes) { (reader: inout JSONReader) throws(LoadError) -> Loaded<[Reservation]> in
            try load(from: &reader, subnets: subnets, source: source, requireEnd: true,
                     msClasslessRoutes: msClasslessRoutes, work: work)
        }
    }

    /// Loads the array at the reader's position and leaves the reader after it, so that a larger
    /// document (a management `replace` request) can embed it. `source` names it in messages,
    /// e.g. `replace.reservations`.
    public static func load(from reader: inout JSONReader, subnets: [SubnetV4], source: String,
                            msClasslessRoutes: Bool = false, work: ParallelWork = .serial)
        throws(LoadError) -> Loaded<[Reservation]> {
        try load(from: &reader, subnets: subnets, source: source, requireEnd: false,
                 msClasslessRoutes: msClasslessRoutes, work: work)
    }

    /// The error and warning cap used by ``load(_:subnets:source:)``.
    public static let diagnosticLimit = DiagnosticList.defaultLimit

    /// Loads a whole file as ``load(_:subnets:source:msClasslessRoutes:work:)`` does, taking the
    /// entries whose bytes did not change since the load that made `memo` from it instead of
    /// parsing them again (``ReservationMemo``). The result — values, warnings, errors — is the
    /// same as without a memo. On success `memo` becomes the memo of this load (empty when the
    /// array is smaller than ``ReservationParser/minimumPieceBytes``); on failure it is unchanged.
    public static func load(_ bytes: [UInt8], subnets: [SubnetV4], source: String = "reservations.json",
                            msClasslessRoutes: Bool = false, work: ParallelWork = .serial,
                            memo: inout ReservationMemo) throws(LoadError) -> Loaded<[Reservation]> {
        var kept: ReservationMemo? = memo
        let loaded = try JSONReader.withReader(bytes) { (reader: inout JSONReader) throws(LoadError) -> Loaded<[Reservation]> in
            try load(from: &reader, subnets: subnets, source: source, requireEnd: true,
                     msClasslessRoutes: msClasslessRoutes, work: work, memo: &kept)
        }
        if let kept { memo = kept }
        return loaded
    }

    static func load(from reader: inout JSONReader, subnets: [SubnetV4], source: String,
                     requireEnd: Bool, msClasslessRoutes: Bool, work: ParallelWork,
                     minimumPieceBytes: Int = ReservationParser.minimumPieceBytes,
                     plainEntries: Bool = true) throws(LoadError) -> Loaded<[Reservation]> {
        var none: ReservationMemo?
        return try load(from: &reader, subnets: subnets, source: source, requireEnd: requireEnd,
                        msClasslessRoutes: msClasslessRoutes, work: work, minimumPieceBytes: minimumPieceBytes,
                        plainEntries: plainEntries, memo: &none)
    }

    /// - Parameter memo: nil: no memo is used or made. Otherwise used when it was made under the
    ///   same subnets and `ms_classless_routes`, and replaced on success by this load's memo —
    ///   which remembers entries only when the array is at least `minimumPieceBytes` long.
    static func load(from reader: inout JSONReader, subnets: [SubnetV4], source: String,
                     requireEnd: Bool, msClasslessRoutes: Bool, work: ParallelWork,
                     minimumPieceBytes: Int = ReservationParser.minimumPieceBytes,
                     plainEntries: Bool = true, memo: inout ReservationMemo?) throws(LoadError) -> Loaded<[Reservation]> {
        var parser = ReservationParser(source: source, subnets: subnets, msClasslessRoutes: msClasslessRoutes)
        parser.readsPlainEntries = plainEntries
        let context = ReservationMemo.Context(subnets: subnets, msClasslessRoutes: msClasslessRoutes)
        if let memo, let start = parser.arrayStart(reader), reader.bytes.count - start >= minimumPieceBytes {
            parser.remembers = true
            if let stored = memo.stored, stored.context == context { parser.memo = stored }
        }
        do {
            if !parser.parseArrayInPieces(&reader, work, minimumPieceBytes: minimumPieceBytes) {
                try parser.parseArray(&reader)
            }
            if requireEnd { try reader.finish() }
        } catch {
            parser.errors.append(Diagnostic(.error, source, error.description))
            throw LoadError(errors: parser.errors, warnings: parser.warnings)
        }
        let previous = parser.memo
        parser.memo = nil
        // Keys and addresses unique, prefixes apart: true of any part of a set that loaded.
        let fromPrevious = previous.map { parser.errors.isEmpty && $0.distinct(parser.memoTaken) } ?? false
        let partOfPrevious = fromPrevious && parser.reusedCount == parser.reservations.count
        parser.memoTaken = []
        // A few entries parsed among many taken: only theirs can repeat a key (see
        // ReservationParser+ChangedKeys.swift); the full search runs when one may.
        let searchInFull = !fromPrevious || parser.parsedPositions.count > parser.reservations.count / 8
            || parser.parsedEntriesMayRepeatAKey(parser.parsedPositions, work: work)
        if searchInFull { parser.reportDuplicates(work: work) }
        if !partOfPrevious { parser.reportOverlaps() }
        guard parser.errors.isEmpty else { throw LoadError(errors: parser.errors, warnings: parser.warnings) }
        if memo != nil {
            var next = ReservationMemo()
            if parser.remembers {
                next.stored = ReservationMemo.Stored(context: context, hashes: parser.entryHashes,
                                                     lengths: parser.entryLengths,
                                                     reservations: parser.reservations, parseAgain: parser.parseAgain)
            }
            next.statistics = .init(reused: parser.reusedCount, parsed: parser.reservations.count - parser.reusedCount,
                                    searchedAllForDuplicates: searchInFull)
            memo = next
        }
        return Loaded(value: parser.reservations, warnings: parser.warnings)
    }
}

extension ReservationLoader {
    /// Re-checks reservations that are already values — decoded from a snapshot image another
    /// process built, so never parsed here — with the same rules the loader applies to JSON:
    /// every entry has a key, every `ipv4` is inside `subnets`, no Option 82 or 18/37 key is
    /// empty, every `ipv6_pd` is masked, every option set could have come from the loader
    /// (``DHCPOptionSet/storageProblem(_:)``), and no key or address is used twice. Errors name
    /// `<source>[INDEX].FIELD` as the loader does.
    ///
    /// With `duplicates: false` only each entry's own rules are checked (not uniqueness): for
    /// entries that are changes to a set, whose keys the set's index checks instead. The
    /// uniqueness searches run on `work`.
    public static func validate(_ reservations: [Reservation], subnets: [SubnetV4], source: String,
                                duplicates: Bool = true, work: ParallelWork = .serial) throws(LoadError) -> Loaded<[Reservation]> {
        var parser = ReservationParser(source: source, subnets: subnets)
        parser.reservations = reservations
        // Many reservations share a set: each distinct one is checked once.
        var checkedV4 = Set<DHCPOptionSet>(), checkedV6 = Set<DHCPOptionSet>()
        for (i, r) in reservations.enumerated() {
            if r.mac == nil && r.duid == nil && r.option82 == nil && r.option1837 == nil {
                parser.error(i, nil, "no key, so it can never match; give at least one of \(ReservationField.keyList)")
            }
            if r.option82?.isEmpty == true { parser.error(i, .option82, "empty") }
            if r.option1837?.isEmpty == true { parser.error(i, .option1837, "empty") }
            if r.ipv6PD.hasHostBits { parser.error(i, .ipv6PD, "\(r.ipv6PD) has host bits set") }
            if let problem = parser.subnetProblem(r.ipv4) { parser.error(i, .ipv4, problem) }
            if !r.optionsV4.isEmpty, !checkedV4.contains(r.optionsV4) {
                if let problem = r.optionsV4.storageProblem(.v4) { parser.error(i, .optionsV4, problem) } else { checkedV4.insert(r.optionsV4) }
            }
            if !r.optionsV6.isEmpty, !checkedV6.contains(r.optionsV6) {
                if let problem = r.optionsV6.storageProblem(.v6) { parser.error(i, .optionsV6, problem) } else { checkedV6.insert(r.optionsV6) }
            }
        }
        if duplicates {
            parser.reportDuplicates(work: work)
            parser.reportOverlaps()
        }
        guard parser.errors.isEmpty else { throw LoadError(errors: parser.errors, warnings: parser.warnings) }
        return Loaded(value: reservations, warnings: parser.warnings)
    }
}
