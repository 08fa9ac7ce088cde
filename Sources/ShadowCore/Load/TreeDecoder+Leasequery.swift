/// `leasequery` of `config.json` (docs/leasequery.md).
extension TreeDecoder {
    /// The settings, or nil when the section is absent, `enabled` is false, or it has errors
    /// (recorded).
    mutating func leasequerySettings(_ value: JSONValue, at path: String) -> LeasequerySettings? {
        guard let f = object(value, at: path, allowed: ConfigField.leasequery) else { return nil }
        let before = errors.count
        let enabled = required(f, "enabled").flatMap { bool($0, at: f.path("enabled")) }
        let allowed = required(f, "allowed").flatMap {
            list($0, at: f.path("allowed")) { d, v, p in
                d.parsed(v, at: p, "network", expected: "a.b.c.d/len or an IPv6 prefix addr/len",
                         LeasequerySettings.Network.init)
            }
        }
        var settings = LeasequerySettings(allowed: allowed ?? [])
        if let v = f["bulk"], let b = bool(v, at: f.path("bulk")) { settings.bulk = b }
        if let v = f["bulk_max_connections"],
           let n = integer(v, at: f.path("bulk_max_connections"), in: LeasequerySettings.maxConnectionsRange) {
            settings.bulkMaxConnections = Int(n)
        }
        if let v = f["bulk_max_message_bytes"],
           let n = integer(v, at: f.path("bulk_max_message_bytes"), in: LeasequerySettings.maxMessageBytesRange) {
            settings.bulkMaxMessageBytes = Int(n)
        }
        if let v = f["bulk_idle_timeout_seconds"],
           let n = integer(v, at: f.path("bulk_idle_timeout_seconds"), in: LeasequerySettings.idleTimeoutRange) {
            settings.bulkIdleTimeoutSeconds = Int(n)
        }
        if let v = f["bulk_lifetime_seconds"],
           let n = integer(v, at: f.path("bulk_lifetime_seconds"), in: LeasequerySettings.lifetimeRange) {
            settings.bulkLifetimeSeconds = Int(n)
        }
        guard errors.count == before, enabled == true else { return nil }
        return settings
    }
}
