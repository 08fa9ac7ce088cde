import Testing
@testable import ShadowMaster

@Suite("Worker restart back-off")
struct RestartBackoffTests {
    @Test func doublesUpToThirtySeconds() {
        var b = RestartBackoff()
        let delays = (0..<12).map { _ in b.delayAfterExit(uptimeMilliseconds: 10) }
        #expect(delays == [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000])
    }

    @Test func resetsAfterAMinuteOfHealth() {
        var b = RestartBackoff()
        _ = b.delayAfterExit(uptimeMilliseconds: 5)
        _ = b.delayAfterExit(uptimeMilliseconds: 5)
        #expect(b.delayAfterExit(uptimeMilliseconds: 59_999) == 400)
        #expect(b.delayAfterExit(uptimeMilliseconds: 60_000) == 100)
        #expect(b.delayAfterExit(uptimeMilliseconds: 1) == 200)
    }
}
