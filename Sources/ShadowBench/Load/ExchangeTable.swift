/// The exchanges in flight, indexed by transaction id: exchange `k` has xid `k & xidMask` and
/// lives in slot `k & mask`. The table is large enough (≥ 2 × rate × timeout) that a slot is only
/// reused after its previous exchange completed or expired. No allocation after init.
struct ExchangeTable {
    /// Waiting for nothing (done, expired or never used), for the first reply, for the second.
    enum Phase: UInt8 { case idle = 0, first, second }

    let mask: Int
    private(set) var exchange: [UInt32]
    private(set) var start: [UInt64]
    private(set) var phase: [Phase]

    /// A power of two ≥ `minimum`, between 1024 and 2^22 slots (below the 24-bit DHCPv6 xid space).
    init(minimum: Int) {
        var size = 1024
        while size < minimum && size < 1 << 22 { size <<= 1 }
        mask = size - 1
        exchange = [UInt32](repeating: 0, count: size)
        start = [UInt64](repeating: 0, count: size)
        phase = [Phase](repeating: .idle, count: size)
    }

    var size: Int { mask + 1 }

    /// Whether exchange `k`'s slot is free.
    func isFree(_ k: UInt32) -> Bool { phase[Int(k) & mask] == .idle }

    mutating func begin(_ k: UInt32, at time: UInt64) {
        let s = Int(k) & mask
        exchange[s] = k; start[s] = time; phase[s] = .first
    }

    /// The slot of the exchange in `phase` whose xid is `xid`, if any.
    func slot(xid: UInt32, xidMask: UInt32, in wanted: Phase) -> Int? {
        let s = Int(xid) & mask
        guard phase[s] == wanted, exchange[s] & xidMask == xid else { return nil }
        return s
    }

    mutating func advance(_ slot: Int) { phase[slot] = .second }
    mutating func finish(_ slot: Int) { phase[slot] = .idle }
    func startTime(_ slot: Int) -> UInt64 { start[slot] }
    func exchangeID(_ slot: Int) -> UInt32 { exchange[slot] }
    func phaseOf(_ k: UInt32) -> Phase { phase[Int(k) & mask] }
}
