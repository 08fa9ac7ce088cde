import Synchronization

/// What the last accepted load of a large reservations array parsed, kept so that the next load
/// takes every entry whose bytes did not change from here instead of parsing it again
/// (docs/performance.md, "Reload: entries not parsed again").
///
/// Kept only for an array of at least ``ReservationParser/minimumPieceBytes`` (the size from which
/// it is parsed in pieces): a smaller one parses in milliseconds, and the memo would only cost
/// memory. It holds, per entry, the 128-bit hash of the entry's bytes (from its `{` to its `}`,
/// ``EntryHasher/process``) and the parsed ``Reservation`` — the loaded array itself, whose storage
/// the caller's copy shares while neither is changed. An entry whose parse gave a warning is not
/// taken from the memo, so its message comes again with its current index. The memo is used only
/// when everything else an entry's parse reads is what it was: the nets and gateways of
/// `subnets_v4` and `ms_classless_routes`.
///
/// A load given a memo replaces it when it succeeds and leaves it as it was when it fails.
public struct ReservationMemo: Sendable {
    /// How the last load given this memo went.
    public struct Statistics: Sendable, Equatable {
        /// Entries taken from the memo of the load before.
        public var reused = 0
        /// Entries parsed.
        public var parsed = 0
        /// Whether the duplicate search over the whole set ran: not when every entry is a
        /// different entry of the memo (the set is part of one already searched), nor when the
        /// few entries parsed certainly repeat no key of another entry.
        public var searchedAllForDuplicates = true
    }

    /// What an entry's parse reads besides its bytes.
    struct Context: Equatable, Sendable {
        var nets: [IPv4Network]
        var gateways: [IPv4Address]
        var msClasslessRoutes: Bool

        init(subnets: [SubnetV4], msClasslessRoutes: Bool) {
            nets = subnets.map(\.net)
            gateways = subnets.map(\.gateway)
            self.msClasslessRoutes = msClasslessRoutes
        }
    }

    /// The entries remembered; nil when the last load was small (or there was none).
    var stored: Stored?
    public internal(set) var statistics = Statistics()

    /// A memo that remembers nothing yet: the first load given it parses everything.
    public init() {}

    /// The smallest array a memo is kept for, in bytes (``ReservationParser/minimumPieceBytes``).
    public static let minimumArrayBytes = ReservationParser.minimumPieceBytes

    /// How many entries are remembered (0 after a small array).
    public var count: Int { stored?.hashes.count ?? 0 }

    /// The remembered entries, read by every thread of a load; the hash → index table is built by
    /// the first thread that needs it.
    final class Stored: Sendable {
        let context: Context
        let hashes: [EntryHash]
        /// Each entry's length in bytes, from its `{` to its `}`.
        let lengths: [UInt32]
        let reservations: [Reservation]
        /// One bit per entry: set when the entry must be parsed again (it had a warning).
        let parseAgain: [UInt64]
        private let table = Mutex<[Int32]?>(nil)

        init(context: Context, hashes: [EntryHash], lengths: [UInt32], reservations: [Reservation],
             parseAgain indexes: [Int]) {
            self.context = context
            self.hashes = hashes
            self.lengths = lengths
            self.reservations = reservations
            var bits = [UInt64](repeating: 0, count: (hashes.count + 63) / 64)
            for i in indexes { bits[i >> 6] |= 1 << UInt64(i & 63) }
            parseAgain = bits
        }

        /// Whether `taken` names every entry at most once.
        func distinct(_ taken: [Int32]) -> Bool {
            var seen = [UInt64](repeating: 0, count: (hashes.count + 63) / 64)
            for j in taken {
                let bit: UInt64 = 1 << UInt64(j & 63)
                if seen[Int(j >> 6)] & bit != 0 { return false }
                seen[Int(j >> 6)] |= bit
            }
            return true
        }

        @inline(__always)
        func reusable(_ i: Int) -> Bool { parseAgain[i >> 6] & (1 << UInt64(i & 63)) == 0 }

        /// The index of the reusable entry with hash `h`, or nil.
        func find(_ h: EntryHash) -> Int? {
            let slots = table.withLock { (t: inout [Int32]?) -> [Int32] in
                if let t { return t }
                let built = buildTable()
                t = built
                return built
            }
            let mask = slots.count - 1
            var s = Int(truncatingIfNeeded: h.a) & mask
            while true {
                let i = Int(slots[s])
                if i < 0 { return nil }
                if hashes[i] == h { return reusable(i) ? i : nil }
                s = (s + 1) & mask
            }
        }

        /// Open addressing, at most half full: each reusable entry's index in the slot of its hash.
        private func buildTable() -> [Int32] {
            var capacity = 16
            while capacity < 2 * hashes.count { capacity <<= 1 }
            var slots = [Int32](repeating: -1, count: capacity)
            let mask = capacity - 1
            for (i, h) in hashes.enumerated() where reusable(i) {
                var s = Int(truncatingIfNeeded: h.a) & mask
                while slots[s] >= 0 { s = (s + 1) & mask }
                slots[s] = Int32(i)
            }
            return slots
        }
    }
}
