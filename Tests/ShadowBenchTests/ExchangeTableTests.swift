import Testing
@testable import ShadowBench

@Suite("Exchanges in flight")
struct ExchangeTableTests {
    @Test("replies find their exchange by xid and phase only")
    func lookup() throws {
        var table = ExchangeTable(minimum: 10)
        #expect(table.size == 1024)
        table.begin(5, at: 100)
        table.begin(1024 + 6, at: 100)
        #expect(table.slot(xid: 5, xidMask: 0xFFFF_FFFF, in: .first) == 5)
        #expect(table.slot(xid: 5, xidMask: 0xFFFF_FFFF, in: .second) == nil)
        #expect(table.slot(xid: 6, xidMask: 0xFFFF_FFFF, in: .first) == nil)        // slot 6 holds exchange 1030
        #expect(table.slot(xid: 1030, xidMask: 0xFF_FFFF, in: .first) == 6)
        let slot = try #require(table.slot(xid: 5, xidMask: 0xFFFF_FFFF, in: .first))
        table.advance(slot)
        #expect(table.slot(xid: 5, xidMask: 0xFFFF_FFFF, in: .second) == 5)
        table.finish(slot)
        #expect(table.isFree(5) && !table.isFree(1030))
    }

    @Test("exchanges older than the timeout expire in order; finished ones are skipped")
    func expiry() throws {
        var state = RunState(settings: LoadSettings(rate: 1000, duration: 1, timeout: 1), plan: BenchPlan(count: 10))
        for k in 0..<3 as Range<UInt32> {
            state.table.begin(k, at: UInt64(k) * 100_000_000)
            state.counters.started += 1
            state.inFlight += 1
        }
        state.finish(try #require(state.table.slot(xid: 1, xidMask: 0xFFFF_FFFF, in: .first)))
        state.counters.completed += 1
        state.expire(now: 1_050_000_000)      // exchange 0 is 1.05 s old; 2 is 0.85 s old
        #expect(state.counters.timedOut == 1 && state.inFlight == 1 && state.oldest == 2)
        state.expire(now: .max)
        #expect(state.counters.timedOut == 2 && state.inFlight == 0 && state.oldest == 3)
    }
}
