/// `rate_limits` of `config.json` (docs/configuration.md, "Storm control").
extension TreeDecoder {
    /// The limits, or nil when the section has errors (recorded). Members absent or null keep
    /// their defaults; 0 turns a limit off.
    mutating func rateLimitSettings(_ value: JSONValue, at path: String) -> RateLimitSettings? {
        guard let f = object(value, at: path, allowed: ConfigField.rateLimits) else { return nil }
        let before = errors.count
        var settings = RateLimitSettings()
        let range: ClosedRange<Int64> = 0...RateLimitSettings.maximumPerSecond
        if let v = f["per_client_per_s"], let n = integer(v, at: f.path("per_client_per_s"), in: range) {
            settings.perClientPerSecond = Int(n)
        }
        if let v = f["per_relay_per_s"], let n = integer(v, at: f.path("per_relay_per_s"), in: range) {
            settings.perRelayPerSecond = Int(n)
        }
        return errors.count == before ? settings : nil
    }
}
