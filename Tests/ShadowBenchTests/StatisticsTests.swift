import ShadowBench
import Testing

@Suite("Percentiles and the maximum search")
struct StatisticsTests {
    @Test("nearest rank over 1...100")
    func hundred() throws {
        var samples = (1...100).map(UInt64.init).shuffled()
        let p = try #require(Percentiles(sorting: &samples))
        #expect(p.count == 100)
        #expect(p.p50 == 50 && p.p90 == 90 && p.p99 == 99 && p.max == 100)
    }

    @Test("nearest rank over ten samples and one sample")
    func small() throws {
        var ten: [UInt64] = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
        let p = try #require(Percentiles(sorting: &ten))
        #expect(p.p50 == 5 && p.p90 == 9 && p.p99 == 10 && p.max == 10)
        var one: [UInt64] = [42]
        let q = try #require(Percentiles(sorting: &one))
        #expect(q.p50 == 42 && q.p99 == 42 && q.max == 42)
        var none: [UInt64] = []
        #expect(Percentiles(sorting: &none) == nil)
        #expect(Percentiles.rank(0, [3, 4]) == 3)
    }

    @Test("the recorder keeps at most its capacity and counts everything")
    func reservoir() throws {
        var r = LatencyRecorder(capacity: 1000)
        for i in 0..<10_000 { r.record(UInt64(i)) }
        #expect(r.samples.count == 1000 && r.seen == 10_000)
        let p = try #require(r.percentiles())
        #expect(p.p50 > 3000 && p.p50 < 7000)
    }

    @Test("the search doubles while passing, bisects after a failure, stops at the precision")
    func search() {
        var s = MaximumSearch(startRate: 1000, precision: 0.1)
        #expect(s.nextRate == 1000)
        s.record(.init(rate: 1000, dropPercent: 0, generatorBound: false))
        #expect(s.nextRate == 2000)
        s.record(.init(rate: 2000, dropPercent: 0.5, generatorBound: false))
        #expect(s.nextRate == 4000)
        s.record(.init(rate: 4000, dropPercent: 30, generatorBound: false))
        #expect(s.nextRate == 3000)
        s.record(.init(rate: 3000, dropPercent: 0, generatorBound: false))
        #expect(s.nextRate == 3500)
        s.record(.init(rate: 3500, dropPercent: 5, generatorBound: false))
        #expect(s.nextRate == 3250)
        s.record(.init(rate: 3250, dropPercent: 0, generatorBound: false))
        #expect(s.nextRate == nil)
        #expect(s.best == 3250 && s.failed == 3500)
    }

    @Test("a step the generator could not keep up with bounds the search from above")
    func generatorBound() {
        var s = MaximumSearch(startRate: 1000, precision: 0.3)
        s.record(.init(rate: 1000, dropPercent: 0, generatorBound: false))
        s.record(.init(rate: 2000, dropPercent: 0, generatorBound: true))
        #expect(s.generatorBound && s.generatorLimit == 2000 && s.failed == 2000)
        #expect(s.nextRate == 1500)
        s.record(.init(rate: 1500, dropPercent: 0, generatorBound: false))
        #expect(s.nextRate == 1750)
        s.record(.init(rate: 1750, dropPercent: 0, generatorBound: false))
        #expect(s.nextRate == nil && s.best == 1750)
    }

    @Test("numbers are printed with at most two decimals")
    func format() {
        #expect(LoadResult.format(1999) == "1999")
        #expect(LoadResult.format(1.5) == "1.5")
        #expect(LoadResult.format(1.05) == "1.05")
        #expect(LoadResult.format(0.004) == "0")
        #expect(LoadResult.format(-0.5) == "-0.5")
    }
}
