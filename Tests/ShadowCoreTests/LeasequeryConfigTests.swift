import Testing
@testable import ShadowCore

/// `leasequery` of config.json (docs/leasequery.md): the bulk keys and their ranges, and the one
/// worker per protocol it needs.
@Suite("Leasequery configuration")
struct LeasequeryConfigTests {
    @Test func bulkKeysAndDefaults() throws {
        var c = try #require(config(#""leasequery": {"enabled": true, "allowed": ["192.0.2.0/24"], "bulk": true}"#))
        var lq = try #require(c.leasequery)
        #expect(lq.bulkMaxConnections == 8 && lq.bulkMaxMessageBytes == 4096)
        #expect(lq.bulkIdleTimeoutSeconds == 60 && lq.bulkLifetimeSeconds == 3600)
        c = try #require(config(#""leasequery": {"enabled": true, "allowed": [], "bulk": true, "bulk_max_message_bytes": 1024, "bulk_idle_timeout_seconds": 5, "bulk_lifetime_seconds": 30}"#))
        lq = try #require(c.leasequery)
        #expect(lq.bulkMaxMessageBytes == 1024 && lq.bulkIdleTimeoutSeconds == 5 && lq.bulkLifetimeSeconds == 30)
    }

    @Test("each key out of range, one exact message", arguments: [
        (#""bulk_max_message_bytes": 100"#, "config.json: leasequery.bulk_max_message_bytes: must be between 300 and 65535, got 100"),
        (#""bulk_idle_timeout_seconds": 0"#, "config.json: leasequery.bulk_idle_timeout_seconds: must be between 1 and 3600, got 0"),
        (#""bulk_lifetime_seconds": 86401"#, "config.json: leasequery.bulk_lifetime_seconds: must be between 1 and 86400, got 86401"),
    ])
    func outOfRange(_ member: String, _ message: String) {
        let text = configText(#""leasequery": {"enabled": true, "allowed": [], "# + member + "}")
        #expect(configErrors(text) == [message])
    }

    @Test func moreThanOneWorkerPerProtocolIsRefused() {
        let lq = #""leasequery": {"enabled": true, "allowed": ["192.0.2.0/24"]}"#
        let message = "config.json: leasequery: needs workers_v4 and workers_v6 of 1 (got 2 and 1): each worker knows "
            + "only the clients it served itself, so another worker would answer a served client as unassigned"
        #expect(configErrors(configText(lq + #", "workers_v4": 2"#)) == [message])
        #expect(configErrors(configText(lq + #", "workers_v6": 3"#)).first?.contains("(got 1 and 3)") == true)
        // Without leasequery (or with it disabled) several workers are fine.
        #expect(configErrors(configText(#""workers_v4": 2"#)) == [])
        #expect(configErrors(configText(#""leasequery": {"enabled": false, "allowed": []}, "workers_v4": 2"#)) == [])
    }

    @Test func highAvailabilityIsRefused() {
        let ha = HAConfigTests.valid
        let errors = configErrors(configText(#""leasequery": {"enabled": true, "allowed": []}, "# + ha))
        #expect(errors == ["config.json: leasequery: cannot be used with ha: last-served times are not shared between "
                           + "servers, so this server would answer a client its peer served as unassigned"])
    }
}
