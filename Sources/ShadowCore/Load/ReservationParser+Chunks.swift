/// A large reservations array parsed on several threads (docs/performance.md, "Reload").
///
/// The array is cut into one piece per thread at places that look like the start of an entry
/// (`}`, white space, `,`, white space, `{`) and each piece is parsed by a parser of its own. A cut
/// found this way could lie inside a string; it is proven to be a real entry boundary when the
/// piece before it, parsed from a real boundary, ends exactly there after a `,`. The first piece
/// starts at the array's `[`, so by induction every cut is checked. If any piece fails — a cut
/// inside a string, or a syntax error anywhere — the caller parses the whole array again on one
/// thread, so errors are reported exactly as without pieces.
///
/// A piece's messages name entries by their index in the whole array, which is known only when
/// every piece before it is done: a piece after the first with messages is parsed a second time,
/// knowing its first index. Rare in practice (a clean file has none), and parallel too.
extension ReservationParser {
    /// Smallest piece worth a thread of its own.
    static let minimumPieceBytes = 4 << 20

    /// Parses the array at `r` in pieces on `work`, leaving `r` after it, or returns false (and
    /// leaves `r` and `self` untouched) when the array is small, or a piece fails: then parse
    /// it with ``parseArray(_:)``.
    mutating func parseArrayInPieces(_ r: inout JSONReader, _ work: ParallelWork,
                                     minimumPieceBytes: Int = Self.minimumPieceBytes) -> Bool {
        guard work.width > 1, reservations.isEmpty, let start = arrayStart(r) else { return false }
        let length = r.bytes.count - start
        let pieces = min(work.width, length / minimumPieceBytes)
        guard pieces > 1 else { return false }
        var found = [start]
        for i in 1..<pieces {
            let target = max(start + i * (length / pieces), found[found.count - 1] + 1)
            guard let cut = Self.entryStart(after: target, in: r.bytes) else { break }
            if cut > found[found.count - 1] { found.append(cut) }
        }
        guard found.count > 1 else { return false }
        found.append(r.bytes.count)

        let source = self.source, subnets = self.subnets, ms = self.msClasslessRoutes, plain = readsPlainEntries
        let reuse = Reuse(memo: memo, remembers: remembers)
        let bytes = ReadOnlyBytes(r.bytes), cuts = found
        let results = PieceResults(count: cuts.count - 1)
        work.run(cuts.count - 1) { i in
            results[i] = Self.parsePiece(bytes, cuts[i], cuts[i + 1], first: i == 0, last: i == cuts.count - 2,
                                         firstIndex: 0, source: source, subnets: subnets, msClasslessRoutes: ms,
                                         plainEntries: plain, reuse: reuse)
        }
        // Moved out of the slots, so that each piece's list has one owner (see below).
        guard var final = results.takeAll() else { return false }
        var firstIndex = [0]
        for i in final.indices.dropLast() {
            firstIndex.append(firstIndex[firstIndex.count - 1] + final[i].parser.reservations.count)
        }
        // Messages of pieces after the first name entries from 0: parse those pieces again.
        let redo = final.indices.filter { $0 > 0 && !(final[$0].parser.errors.isEmpty && final[$0].parser.warnings.isEmpty) }
        if !redo.isEmpty {
            let again = PieceResults(count: redo.count)
            let bases = firstIndex
            work.run(redo.count) { j in
                let i = redo[j]
                again[j] = Self.parsePiece(bytes, cuts[i], cuts[i + 1], first: false, last: i == cuts.count - 2,
                                           firstIndex: bases[i], source: source, subnets: subnets, msClasslessRoutes: ms,
                                           plainEntries: plain, reuse: reuse)
            }
            guard let reparsed = again.takeAll() else { return false }
            for (j, i) in redo.enumerated() { final[i] = reparsed[j] }
        }
        let lists = ListSlots(count: final.count)
        for k in final.indices { lists.put(k, &final[k].parser.reservations) }
        reservations = Self.concatenate(lists, work: work)
        if remembers {
            entryHashes.reserveCapacity(reservations.count)
            entryLengths.reserveCapacity(reservations.count)
        }
        for k in final.indices {
            let piece = final[k]
            // Keys are indexes in the whole array: a piece with unusable entries has errors, so
            // it was parsed again knowing its first index.
            for (index, fields) in piece.parser.unusable { unusable[index] = fields }
            errors.append(contentsOf: piece.parser.errors)
            warnings.append(contentsOf: piece.parser.warnings)
            if remembers {
                entryHashes.append(contentsOf: piece.parser.entryHashes)
                entryLengths.append(contentsOf: piece.parser.entryLengths)
                for p in piece.parser.parseAgain { parseAgain.append(firstIndex[k] + p) }
                reusedCount += piece.parser.reusedCount
                memoTaken.append(contentsOf: piece.parser.memoTaken)
                for p in piece.parser.parsedPositions { parsedPositions.append(firstIndex[k] + p) }
            }
        }
        r.offset = cuts[cuts.count - 2] + final[final.count - 1].end
        return true
    }

    /// `lists` as one list, each moved into its place on a thread of its own. No reservation is
    /// copied (a copy retains every reference it holds, and dropping the old lists releases them
    /// all again: about 0.09 s on one thread for 1,000,000), and each old list is freed on its
    /// thread. A moved-from slot is filled with ``hollow``, which holds no reference.
    static func concatenate(_ lists: ListSlots, work: ParallelWork) -> [Reservation] {
        var offsets = [0]
        for k in 0..<lists.count { offsets.append(offsets[offsets.count - 1] + lists.countOfList(k)) }
        let total = offsets[offsets.count - 1], starts = offsets
        return [Reservation](unsafeUninitializedCapacity: total) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            let target = MoveTarget(base: base)
            work.run(starts.count - 1) { k in
                var list = lists.take(k)
                list.withUnsafeMutableBufferPointer { from in
                    guard let first = from.baseAddress else { return }
                    (target.base + starts[k]).moveInitialize(from: first, count: from.count)
                    first.initialize(repeating: hollow, count: from.count)
                }
            }
            initialized = total
        }
    }

    /// What a slot holds once its reservation was moved out: nothing to release.
    private static let hollow = Reservation(ipv4: .any, ipv6NA: .any, ipv6PD: IPv6Prefix(address: .any, prefixLength: 0))

    /// Where the array begins (its `[`), or nil when the next value is not an array.
    func arrayStart(_ r: JSONReader) -> Int? {
        var probe = r
        probe.skipWhitespace()
        return probe.peekByte == UInt8(ascii: "[") ? probe.offset : nil
    }

    /// The offset of the `{` of the first `}`, `,`, `{` sequence (white space allowed between) at
    /// or after `from`.
    static func entryStart(after from: Int, in bytes: UnsafeRawBufferPointer) -> Int? {
        var i = from
        let n = bytes.count
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
        while i < n {
            if bytes[i] == UInt8(ascii: "}") {
                var j = i + 1
                while j < n, isSpace(bytes[j]) { j += 1 }
                if j < n, bytes[j] == UInt8(ascii: ",") {
                    j += 1
                    while j < n, isSpace(bytes[j]) { j += 1 }
                    if j < n, bytes[j] == UInt8(ascii: "{") { return j }
                }
            }
            i += 1
        }
        return nil
    }

    /// The memo a piece's parser takes entries from, and whether it records hashes.
    struct Reuse: Sendable {
        var memo: ReservationMemo.Stored?
        var remembers: Bool
    }

    /// One piece parsed, and where its parse ended (relative to the piece's start).
    struct Piece: Sendable {
        var parser: ReservationParser
        var end: Int
    }

    /// Parses `bytes[from..<to]`: the first piece starts at `[`; every piece but the last must end
    /// right after the `,` (and white space) that follows its last entry; the last one ends with
    /// the array's `]`. Nil when the piece is not exactly that (or has a syntax error).
    static func parsePiece(_ bytes: ReadOnlyBytes, _ from: Int, _ to: Int, first: Bool, last: Bool,
                           firstIndex: Int, source: String, subnets: SubnetMatcher,
                           msClasslessRoutes: Bool, plainEntries: Bool, reuse: Reuse) -> Piece? {
        var parser = ReservationParser(source: source, matcher: subnets, msClasslessRoutes: msClasslessRoutes)
        parser.readsPlainEntries = plainEntries
        parser.memo = reuse.memo
        parser.remembers = reuse.remembers
        // A piece after the first does not know which memo entry it starts at: past the end, so
        // that its first entry is looked up by hash.
        parser.memoCursor = first ? 0 : reuse.memo?.hashes.count ?? 0
        var r = JSONReader(UnsafeRawBufferPointer(rebasing: bytes.bytes[from..<to]))
        do {
            if first {
                try r.beginArray()
                guard try r.nextElement() else { return nil }
            }
            let begin = r.offset
            while true {
                try parser.parseOrReuseEntry(&r, index: firstIndex + parser.reservations.count)
                if parser.reservations.count == ReservationParser.sampleSize {
                    let perEntry = max(1, (r.offset - begin) / parser.reservations.count)
                    parser.reservations.reserveCapacity(parser.reservations.count + (r.bytes.count - r.offset) / perEntry + 64)
                    if parser.remembers {
                        parser.entryHashes.reserveCapacity(parser.reservations.capacity)
                        parser.entryLengths.reserveCapacity(parser.reservations.capacity)
                    }
                }
                if last {
                    guard try r.nextElement() else { return Piece(parser: parser, end: r.offset) }
                    continue
                }
                r.skipWhitespace()
                guard r.peekByte == UInt8(ascii: ",") else { return nil }
                r.offset += 1
                r.skipWhitespace()
                if r.offset == r.bytes.count { return Piece(parser: parser, end: r.offset) }
            }
        } catch {
            return nil
        }
    }
}

/// Bytes that several threads read and nobody writes; the caller keeps them alive until the
/// threads are done.
struct ReadOnlyBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
}

/// Where ``ReservationParser/concatenate(_:work:)`` moves the lists (and
/// ``ReservationSnapshot/allReservations(work:)`` puts what it decodes): each thread writes its
/// own range, and the caller reads them only after every thread returned.
struct MoveTarget: @unchecked Sendable {
    let base: UnsafeMutablePointer<Reservation>
}

/// The lists to join, one slot per list, each taken by one thread. A list is moved in and out
/// of its slot, never copied: the thread that takes it is its only owner and may change it in
/// place.
final class ListSlots: @unchecked Sendable {
    // @unchecked: each slot is filled before the jobs start and taken by exactly one job.
    private let lists: UnsafeMutableBufferPointer<[Reservation]>

    init(count: Int) {
        lists = .allocate(capacity: count)
        lists.initialize(repeating: [])
    }

    var count: Int { lists.count }

    /// Moves `list` into slot `i`, leaving it empty.
    func put(_ i: Int, _ list: inout [Reservation]) { swap(&lists[i], &list) }

    func countOfList(_ i: Int) -> Int { lists[i].count }

    deinit {
        _ = lists.deinitialize()
        lists.deallocate()
    }

    /// The list in slot `i`; the slot is left empty.
    func take(_ i: Int) -> [Reservation] {
        var list: [Reservation] = []
        swap(&list, &lists[i])
        return list
    }
}

/// One slot per piece, each written by one thread and read after ``ParallelWork/run(_:_:)``
/// returned (which orders the writes before the reads).
private final class PieceResults: @unchecked Sendable {
    // @unchecked: each slot is written by exactly one job, and read only after all jobs returned.
    private let slots: UnsafeMutableBufferPointer<ReservationParser.Piece?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        _ = slots.deinitialize()
        slots.deallocate()
    }

    subscript(i: Int) -> ReservationParser.Piece? {
        get { slots[i] }
        set { slots[i] = newValue }
    }

    /// Every piece, moved out of its slot (which is left empty), or nil when one failed.
    func takeAll() -> [ReservationParser.Piece]? {
        guard slots.allSatisfy({ $0 != nil }) else { return nil }
        return slots.indices.map { slots[$0].take()! }
    }
}
