import IPC
import ShadowCore

extension ConfigDirectory {
    /// `rate_limits` of the directory's `config.json` as it is now (SIGHUP): the whole file is
    /// read and validated as at start, so a file with any problem changes nothing.
    public static func loadRateLimits(_ directory: String) throws(ConfigurationProblems) -> RateLimitSettings {
        var problems: [String] = []
        let config = loadFile(directory, "config.json", into: &problems) {
            (bytes: [UInt8]) throws(LoadError) in try ConfigurationLoader.loadConfig(bytes)
        }
        guard let config else { throw ConfigurationProblems(lines: problems) }
        return config.value.rateLimits
    }
}

extension Master {
    /// On SIGHUP: reads config.json's `rate_limits` again and, when they changed, sends them to
    /// every DHCP worker (docs/configuration.md, "Storm control"). Every other setting of
    /// config.json is still read at start only. A config.json with problems keeps the limits in
    /// force, with an error line per problem.
    func reloadRateLimits() {
        let limits: RateLimitSettings
        do {
            limits = try ConfigDirectory.loadRateLimits(settings.directory)
        } catch {
            logger.error("config.json not reloaded: \(error.lines.count) problem(s); the rate limits in force stay")
            for line in error.lines { logger.error("\(line)") }
            return
        }
        guard limits != rateLimits else { return }
        rateLimits = limits
        logger.info("applying new rate limits", metadata: [
            "rate_limits.per_client_per_s": "\(limits.perClientPerSecond)",
            "rate_limits.per_relay_per_s": "\(limits.perRelayPerSecond)"])
        for w in workers where w.ready && w.kind != .ops { send(.rateLimits(limits), to: w) }
    }

    /// After `configure` (which carries config.json as read at start): the limits a SIGHUP
    /// applied since, for a worker that started after it.
    func sendRateLimitsIfReloaded(to w: WorkerSlot) {
        guard w.kind != .ops, rateLimits != settings.config.rateLimits else { return }
        send(.rateLimits(rateLimits), to: w)
    }
}
