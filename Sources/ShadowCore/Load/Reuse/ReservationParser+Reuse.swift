/// Entries taken from the memo of the last load instead of being parsed (``ReservationMemo``).
extension ReservationParser {
    /// Parses the entry at `r` — or, when its bytes are those of a reusable entry of ``memo``,
    /// appends that entry's value and moves `r` after it. With ``remembers`` set, records the
    /// entry's hash and length for the next memo, and marks it to be parsed again next time when
    /// its parse gave a message (or did not end where ``JSONObjectEnd`` put the end).
    ///
    /// The memo entry tried first is the one after the last entry taken from it, or after the
    /// one a parsed entry most likely replaced (``memoCursor``): a file that kept its order
    /// (entries changed, inserted or removed here and there) is compared entry by entry, by
    /// hashing as many bytes as that memo entry had — no search for the end. Otherwise the entry's end is found by ``JSONObjectEnd`` and its hash looked up.
    /// When misses outnumber hits by ``memoMissesTolerated``, the parser stops looking: a file
    /// that is mostly new costs what a load without a memo costs, plus the hashing.
    @inline(__always)
    mutating func parseOrReuseEntry(_ r: inout JSONReader, index: Int) throws(JSONSyntaxError) {
        guard remembers else { return try parseEntry(&r, index: index) }
        r.skipWhitespace()
        let start = r.offset
        let position = reservations.count
        let errorsBefore = errors.count, warningsBefore = warnings.count
        guard let memo else {
            // Nothing to look up: the parse finds the end, and the bytes it read are hashed. The
            // position matters only after a memo was given up (its misses counted).
            if memoMisses > 0 { parsedPositions.append(position) }
            try parseEntry(&r, index: index)
            remember(EntryHasher.process.hash(UnsafeRawBufferPointer(rebasing: r.bytes[start..<r.offset])), r.offset - start)
            if errors.count != errorsBefore || warnings.count != warningsBefore { parseAgain.append(position) }
            return
        }
        if memoCursor < memo.hashes.count {
            let j = memoCursor, length = Int(memo.lengths[j])
            // An entry of another length rarely has a `}` there: no hash for it.
            if length > 0, length <= r.bytes.count - start, r.bytes[start + length - 1] == UInt8(ascii: "}") {
                let h = EntryHasher.process.hash(UnsafeRawBufferPointer(rebasing: r.bytes[start..<start + length]))
                if h == memo.hashes[j], memo.reusable(j) { return reuse(j, h, length, &r) }
            }
        }
        guard let end = JSONObjectEnd.end(in: r.bytes, from: start) else {
            remember(EntryHash(a: 0, b: 0), 0)
            parseAgain.append(position)
            parsedPositions.append(position)
            return try parseEntry(&r, index: index)
        }
        let h = EntryHasher.process.hash(UnsafeRawBufferPointer(rebasing: r.bytes[start..<end]))
        if let j = memo.find(h) { return reuse(j, h, end - start, &r) }
        remember(h, end - start)
        // Most likely an entry changed in place: the next one is compared with the memo's next.
        memoCursor += 1
        memoMisses += 1
        parsedPositions.append(position)
        // A file that is mostly new is parsed as without a memo (hashed for the next one).
        if memoMisses > reusedCount + Self.memoMissesTolerated { self.memo = nil }
        try parseEntry(&r, index: index)
        if errors.count != errorsBefore || warnings.count != warningsBefore || r.offset != end {
            parseAgain.append(position)
        }
    }

    /// Entries looked up in vain, beyond those taken, after which a parser stops looking.
    static let memoMissesTolerated = 4096

    @inline(__always)
    private mutating func remember(_ h: EntryHash, _ length: Int) {
        entryHashes.append(h)
        entryLengths.append(UInt32(truncatingIfNeeded: length))
    }

    /// Appends memo entry `j` (hash `h`, `length` bytes) and moves `r` after it.
    @inline(__always)
    private mutating func reuse(_ j: Int, _ h: EntryHash, _ length: Int, _ r: inout JSONReader) {
        remember(h, length)
        memoTaken.append(Int32(truncatingIfNeeded: j))
        reservations.append(memo.unsafelyUnwrapped.reservations[j])
        memoCursor = j + 1
        reusedCount += 1
        r.offset += length
    }
}
