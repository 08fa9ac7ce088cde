/// A mutable reservation set with a hash index per key and per address, for changes one entry at
/// a time (the management `reservation-*` commands). Ops and the master each build one from the
/// live snapshot at the first change and keep it while the snapshot it was built from, plus their
/// own changes, is the live one: ops applies the requests (``applyResolving(_:)``), the master
/// the resolved changes ops sends it (``apply(resolved:)``).
///
/// ``apply(_:)`` checks each change against the set as it stands — every key and address unique —
/// in constant time; the subnet rule and the per-field rules were checked when the request was
/// parsed. A delete moves the last entry into the gap, so order is insertion order except where
/// deletes moved an entry.
public struct ReservationStore: Sendable {
    public private(set) var reservations: [Reservation]
    private var indexes: [StoreIndex]
    /// The IPv6 containment rules' indexes (ReservationStore+Containment.swift).
    var containment = PrefixContainment()
    /// The last ``persistedBytes()`` and where each entry's text lies in it (nil: changed since).
    private var persisted: [UInt8] = []
    private var spans: [Span?]

    /// Where an entry's text lies in ``persisted``.
    struct Span: Sendable {
        var offset: Int
        var length: Int
    }

    /// Indexes `reservations`, which must be valid (unique keys and addresses), as loaded.
    public init(_ reservations: [Reservation]) {
        self.reservations = reservations
        spans = [Span?](repeating: nil, count: reservations.count)
        var present = [Int](repeating: 0, count: ReservationKey.Kind.allCases.count)
        for r in reservations {
            present[ReservationKey.Kind.mac.rawValue] += r.mac == nil ? 0 : 1
            present[ReservationKey.Kind.duid.rawValue] += r.duid == nil ? 0 : 1
            present[ReservationKey.Kind.option82.rawValue] += r.option82 == nil ? 0 : 1
            present[ReservationKey.Kind.option1837.rawValue] += r.option1837 == nil ? 0 : 1
        }
        for kind in [ReservationKey.Kind.ipv4, .ipv6NA, .ipv6PD] { present[kind.rawValue] = reservations.count }
        indexes = present.map { StoreIndex(expected: $0) }
        for i in reservations.indices { indexKeys(reservations[i], at: i) }
        buildContainment()
    }

    public var count: Int { reservations.count }

    /// The position of the entry `key` names.
    public func position(of key: ReservationKey) -> Int? {
        indexes[key.kind.rawValue].find(hash: key.hash) { ReservationKey.of(key.kind, in: reservations[$0]) == key }
    }

    // MARK: applying a request

    /// Applies `changes` in order, all or nothing: on any error every change of the batch is
    /// undone and all errors found are returned (later changes are still checked, against the
    /// set as the valid earlier ones left it).
    public mutating func apply(_ changes: [ReservationChange]) -> Result<ChangeCounts, LoadError> {
        applyResolving(changes).map(\.counts)
    }

    /// ``apply(_:)``, also returning what the changes did as ``ResolvedChange``s, in order: what
    /// a commit sends the master.
    public mutating func applyResolving(_ changes: [ReservationChange])
        -> Result<(counts: ChangeCounts, resolved: [ResolvedChange]), LoadError> {
        var batch = Batch()
        for change in changes { apply(change, &batch) }
        if batch.errors.isEmpty { return .success((batch.counts, batch.resolved)) }
        for step in batch.undo.reversed() { undo(step) }
        return .failure(LoadError(errors: batch.errors))
    }

    /// Applies changes another store resolved (``applyResolving(_:)``), all or nothing, with the
    /// same checks: every key and address stays unique, every entry named exists. Errors are
    /// named `changes[INDEX]`.
    public mutating func apply(resolved: [ResolvedChange]) -> Result<ChangeCounts, LoadError> {
        apply(resolved.enumerated().map { i, change in
            let source = "changes[\(i)]"
            switch change {
            case .add(let r): return ReservationChange(.add(r), source: source)
            case .replace(let old, let r): return ReservationChange(.update(match: .ipv4(old), r), source: source)
            case .delete(let old): return ReservationChange(.delete(.ipv4(old)), source: source)
            }
        })
    }

    /// One request's progress: what to undo, what it did, and who touched which position.
    private struct Batch {
        var undo: [Undo] = []
        var counts = ChangeCounts()
        var errors = DiagnosticList()
        /// What the changes did, for the master.
        var resolved: [ResolvedChange] = []
        /// Positions added or updated by this batch, with the change's source (for messages).
        var sources: [Int: String] = [:]
    }

    private enum Undo {
        case added
        case replaced(Int, Reservation, Span?)
        case deleted(Int, Reservation, Span?)
    }

    private mutating func apply(_ change: ReservationChange, _ batch: inout Batch) {
        let source = change.source
        switch change.operation {
        case .add(let r):
            guard conflicts(r, source, &batch) == 0 else { return }
            reservations.append(r)
            spans.append(nil)
            index(r, at: reservations.count - 1)
            batch.sources[reservations.count - 1] = source
            batch.undo.append(.added)
            batch.resolved.append(.add(r))
            batch.counts.added += 1
        case .update(let match, let r):
            guard let i = target(match: match, r, source, &batch) else { return }
            let old = reservations[i]
            unindex(old, at: i)
            guard conflicts(r, source, &batch) == 0 else { index(old, at: i); return }
            reservations[i] = r
            index(r, at: i)
            batch.sources[i] = source
            batch.undo.append(.replaced(i, old, spans[i]))
            batch.resolved.append(.replace(old.ipv4, r))
            spans[i] = nil
            batch.counts.updated += 1
        case .delete(let key):
            guard let i = position(of: key) else {
                batch.errors.append(Diagnostic(.error, source + "." + key.kind.name, "no reservation has \(key)"))
                return
            }
            let last = reservations.count - 1
            let span = spans[i]
            let removed = remove(at: i)
            batch.undo.append(.deleted(i, removed, span))
            batch.resolved.append(.delete(removed.ipv4))
            let movedSource = batch.sources.removeValue(forKey: last)
            batch.sources[i] = i == last ? nil : movedSource
            batch.counts.deleted += 1
        }
    }

    /// The position an update replaces: `match`'s entry, or the one entry holding any of `r`'s keys.
    private func target(match: ReservationKey?, _ r: Reservation, _ source: String, _ batch: inout Batch) -> Int? {
        if let match {
            guard let i = position(of: match) else {
                let path = source.lastIndex(of: ".").map { String(source[..<$0]) } ?? source
                batch.errors.append(Diagnostic(.error, path + ".match", "no reservation has \(match.kind.name) \(match)"))
                return nil
            }
            return i
        }
        let keys = ReservationKey.Kind.identifiers.compactMap { ReservationKey.of($0, in: r) }
        var found: [Int] = []
        for k in keys { if let i = position(of: k), !found.contains(i) { found.append(i) } }
        if found.count == 1 { return found[0] }
        let named = keys.map { "\($0.kind.name) \($0)" }.joined(separator: ", ")
        if found.isEmpty {
            batch.errors.append(Diagnostic(.error, source,
                "no reservation has any of its keys (\(named)); add it with reservation-add, or name the entry to change with `match`"))
        } else {
            let who = found.map { describe($0, batch.sources) }.joined(separator: " and ")
            batch.errors.append(Diagnostic(.error, source,
                "its keys belong to \(found.count) different reservations (\(who)); name the entry to change with `match`"))
        }
        return nil
    }

    /// Records an error for every key or address of `r` already used; returns how many.
    private func conflicts(_ r: Reservation, _ source: String, _ batch: inout Batch) -> Int {
        let sources = batch.sources
        var n = containmentConflicts(r, source, &batch.errors) { describe($0, sources) }
        for kind in ReservationKey.Kind.allCases {
            guard let key = ReservationKey.of(kind, in: r), let other = position(of: key) else { continue }
            batch.errors.append(Diagnostic(.error, source + "." + kind.name, "\(key) already used by \(describe(other, batch.sources))"))
            n += 1
        }
        return n
    }

    /// `reservation-add.reservations[0]` when this batch put the entry there, else by its IPv4.
    private func describe(_ i: Int, _ sources: [Int: String]) -> String {
        sources[i] ?? "the reservation with ipv4 \(reservations[i].ipv4)"
    }

    // MARK: persisting

    /// The set as `reservations.json` (``ReservationPersistence/persistedBytes(_:)``, byte for
    /// byte). Entries unchanged since the last call are copied from its result, so after the
    /// first call a commit formats only the entries that changed.
    public mutating func persistedBytes() -> [UInt8] {
        guard !reservations.isEmpty else {
            persisted = []
            return Array("[]\n".utf8)
        }
        var out: [UInt8] = []
        out.reserveCapacity(persisted.isEmpty ? reservations.count * 160 : persisted.count + persisted.count / 16)
        out.append(contentsOf: "[\n".utf8)
        persisted.withUnsafeBufferPointer { old in
            for i in reservations.indices {
                if i > 0 { out.append(contentsOf: ",\n".utf8) }
                let offset = out.count
                if let s = spans[i] {
                    out.append(contentsOf: old[s.offset..<s.offset + s.length])
                } else {
                    ReservationPersistence.appendEntry(reservations[i], to: &out)
                }
                spans[i] = Span(offset: offset, length: out.count - offset)
            }
        }
        out.append(contentsOf: "\n]\n".utf8)
        persisted = out
        return out
    }

    /// Takes `bytes` as the last ``persistedBytes()`` of the set as it stands, with `entries`
    /// the range of each entry's text in them (``ReservationPersistence/persistedBytesAndEntries(_:work:)``
    /// of ``reservations``), so that the next call formats only the entries changed since.
    public mutating func adoptPersisted(_ bytes: [UInt8], entries: [Range<Int>]) {
        precondition(entries.count == reservations.count, "one range per entry")
        persisted = bytes
        spans = entries.map { Span(offset: $0.lowerBound, length: $0.count) }
    }

    // MARK: undo

    private mutating func undo(_ step: Undo) {
        switch step {
        case .added:
            let r = reservations.removeLast()
            spans.removeLast()
            unindex(r, at: reservations.count)
        case .replaced(let i, let old, let span):
            unindex(reservations[i], at: i)
            reservations[i] = old
            spans[i] = span
            index(old, at: i)
        case .deleted(let i, let r, let span):
            if i < reservations.count {
                let moved = reservations[i]
                move(moved, from: i, to: reservations.count)
                reservations.append(moved)
                spans.append(spans[i])
                reservations[i] = r
                spans[i] = span
            } else {
                reservations.append(r)
                spans.append(span)
            }
            index(r, at: i)
        }
    }

    // MARK: index maintenance

    /// Removes the entry at `i`, moving the last one into its place; returns the removed entry.
    private mutating func remove(at i: Int) -> Reservation {
        let r = reservations[i]
        unindex(r, at: i)
        let last = reservations.count - 1
        if i != last {
            move(reservations[last], from: last, to: i)
            reservations[i] = reservations[last]
            spans[i] = spans[last]
        }
        reservations.removeLast()
        spans.removeLast()
        return r
    }

    private mutating func index(_ r: Reservation, at i: Int) {
        indexKeys(r, at: i)
        indexContainment(r, at: i)
    }

    private mutating func indexKeys(_ r: Reservation, at i: Int) {
        for kind in ReservationKey.Kind.allCases {
            if let key = ReservationKey.of(kind, in: r) { indexes[kind.rawValue].insert(hash: key.hash, position: i) }
        }
    }

    private mutating func unindex(_ r: Reservation, at i: Int) {
        for kind in ReservationKey.Kind.allCases {
            if let key = ReservationKey.of(kind, in: r) { indexes[kind.rawValue].remove(hash: key.hash, position: i) }
        }
        unindexContainment(r, at: i)
    }

    private mutating func move(_ r: Reservation, from: Int, to: Int) {
        for kind in ReservationKey.Kind.allCases {
            if let key = ReservationKey.of(kind, in: r) { indexes[kind.rawValue].move(hash: key.hash, from: from, to: to) }
        }
    }
}
