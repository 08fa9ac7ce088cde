import IPC
import ShadowCore

/// What the master accepts from a worker's `binding-learned` (docs/privileges.md, "The master
/// distrusts its workers"). A compromised worker can send any well-formed message; these rules
/// keep what it can make the master store, and how fast, to what an honest worker sends.
struct BindingAdmission {
    /// Learned bindings accepted per second from one worker, and the burst it may save up.
    static let ratePerSecond: UInt64 = 10_000

    /// Why a binding was not stored.
    enum Refusal: String {
        /// More than ``ratePerSecond`` in a second.
        case overRate = "over_rate"
        /// An Option 82 field empty or longer than 255 bytes (a sub-option's limit), or none at all.
        case badField = "bad_field"
        /// No reservation of the live snapshot has this Option 82.
        case notReserved = "not_reserved"
    }

    /// Tokens left, in thousandths of a binding (so the refill needs no floating point).
    private var milliTokens = ratePerSecond * 1000
    private var lastRefill: UInt64?

    /// Whether a binding learned at `nowMilliseconds` (monotonic) fits the rate; takes a token.
    mutating func withinRate(nowMilliseconds now: UInt64) -> Bool {
        let capacity = Self.ratePerSecond * 1000
        if let last = lastRefill, now > last {
            milliTokens = min(capacity, milliTokens &+ (now - last) * Self.ratePerSecond)
        }
        lastRefill = max(lastRefill ?? now, now)
        guard milliTokens >= 1000 else { return false }
        milliTokens -= 1000
        return true
    }

    /// Whether every present field of `o` is 1–255 bytes and at least one is present: then the
    /// binding always fits a binding-table transfer to the v6 workers, and is an Option 82 a relay
    /// can send.
    static func isStorable(_ o: Option82) -> Bool {
        let fields = [o.circuit, o.remote, o.subscriber].compactMap { $0 }
        return !fields.isEmpty && fields.allSatisfy { (1...255).contains($0.utf8.count) }
    }

    /// The refusal for `b` from a worker, or nil when it may be stored.
    mutating func check(_ b: BindingLearned, snapshot: ReservationSnapshot, nowMilliseconds: UInt64) -> Refusal? {
        guard withinRate(nowMilliseconds: nowMilliseconds) else { return .overRate }
        guard Self.isStorable(b.option82) else { return .badField }
        guard snapshot.index(option82: b.option82) != nil else { return .notReserved }
        return nil
    }
}
