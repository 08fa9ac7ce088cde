import Testing
@testable import ShadowCore

/// `rate_limits` of config.json (docs/configuration.md, "Storm control"): defaults, 0 = off,
/// null = absent, and one exact message per mistake.
@Suite("Rate limit configuration")
struct RateLimitConfigTests {
    @Test func defaultsArePerClientTenAndNoRelayLimit() throws {
        let c = try #require(config(""))
        #expect(c.rateLimits == RateLimitSettings(perClientPerSecond: 10, perRelayPerSecond: 0))
        #expect(c.rateLimits.isEnabled)
    }

    @Test("members", arguments: [
        (#""rate_limits": {"per_client_per_s": 20, "per_relay_per_s": 5000}"#, 20, 5000),
        (#""rate_limits": {"per_relay_per_s": 5000}"#, 10, 5000),
        (#""rate_limits": {"per_client_per_s": 0}"#, 0, 0),
        (#""rate_limits": {"per_client_per_s": null, "per_relay_per_s": null}"#, 10, 0),
        (#""rate_limits": {}"#, 10, 0),
        (#""rate_limits": null"#, 10, 0),
        (#""rate_limits": {"per_client_per_s": 1000000, "per_relay_per_s": 1}"#, 1_000_000, 1),
    ])
    func members(_ extra: String, _ client: Int, _ relay: Int) throws {
        let c = try #require(config(extra))
        #expect(c.rateLimits == RateLimitSettings(perClientPerSecond: client, perRelayPerSecond: relay))
    }

    @Test func zeroTurnsBothOff() throws {
        let c = try #require(config(#""rate_limits": {"per_client_per_s": 0, "per_relay_per_s": 0}"#))
        #expect(!c.rateLimits.isEnabled)
    }

    @Test("one exact message per mistake", arguments: [
        (#""rate_limits": {"per_client_per_s": -1}"#,
         "config.json: rate_limits.per_client_per_s: must be between 0 and 1000000, got -1"),
        (#""rate_limits": {"per_relay_per_s": 1000001}"#,
         "config.json: rate_limits.per_relay_per_s: must be between 0 and 1000000, got 1000001"),
        (#""rate_limits": {"per_client_per_s": 2.5}"#,
         "config.json: rate_limits.per_client_per_s: expected an integer, got 2.5"),
        (#""rate_limits": {"per_client_per_s": "10"}"#,
         "config.json: rate_limits.per_client_per_s: expected an integer, got a string"),
        (#""rate_limits": {"per_mac_per_s": 10}"#,
         "config.json: rate_limits.per_mac_per_s: unknown field; allowed: per_client_per_s, per_relay_per_s"),
        (#""rate_limits": [10]"#, "config.json: rate_limits: expected an object, got an array"),
    ])
    func mistakes(_ extra: String, _ message: String) {
        #expect(configErrors(configText(extra)) == [message])
    }
}
