/// Entries taken from the memo of the last load instead of being parsed (``ReservationMemo``).
extension ReservationParser {
    /// Parses the entry at `r` — or, when its bytes hash to a reusable entry of ``memo``, appends
    /// that entry's value and moves `r` after it. With ``remembers`` set, records the entry's
    /// hash for the next memo, and marks it to be parsed again next time when its parse gave a
    /// message (or its end was not where ``JSONObjectEnd`` put it).
    ///
    /// The memo entry tried first is the one after the last entry taken from it: a file that kept
    /// its order (entries changed, inserted or removed here and there) is compared entry by
    /// entry; anything else is looked up by hash.
    @inline(__always)
    mutating func parseOrReuseEntry(_ r: inout JSONReader, index: Int) throws(JSONSyntaxError) {
        guard remembers else { return try parseEntry(&r, index: index) }
        r.skipWhitespace()
        let start = r.offset
        let position = reservations.count
        let errorsBefore = errors.count, warningsBefore = warnings.count
        guard let memo else {
            // Nothing to look up: the parse finds the end, and the bytes it read are hashed.
            try parseEntry(&r, index: index)
            entryHashes.append(EntryHasher.process.hash(UnsafeRawBufferPointer(rebasing: r.bytes[start..<r.offset])))
            if errors.count != errorsBefore || warnings.count != warningsBefore { parseAgain.append(position) }
            return
        }
        guard let end = JSONObjectEnd.end(in: r.bytes, from: start) else {
            entryHashes.append(EntryHash(a: 0, b: 0))
            parseAgain.append(position)
            return try parseEntry(&r, index: index)
        }
        let h = EntryHasher.process.hash(UnsafeRawBufferPointer(rebasing: r.bytes[start..<end]))
        entryHashes.append(h)
        if let j = memo.find(h, expected: memoCursor) {
            reservations.append(memo.reservations[j])
            memoCursor = j + 1
            reusedCount += 1
            r.offset = end
            return
        }
        try parseEntry(&r, index: index)
        if errors.count != errorsBefore || warnings.count != warningsBefore || r.offset != end {
            parseAgain.append(position)
        }
    }
}
