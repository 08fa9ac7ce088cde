/// Merging levels and checking sets that come from another process.
extension DHCPOptionSet {
    /// This level over a wider one, key by key: every entry of `self` (with its own
    /// `alwaysSend`), then the entries of `wider` this level does not set; the lease time of
    /// `self` when it sets one. (Reservation over subnet over top: `r.overriding(s.overriding(t))`.)
    public func overriding(_ wider: DHCPOptionSet) -> DHCPOptionSet {
        var merged = wider.entries.filter { entry(code: $0.code) == nil }
        merged += entries
        return DHCPOptionSet(entries: merged, leaseTime: leaseTime ?? wider.leaseTime)
    }

    /// Why this set could not have come from the loader for `family`, or nil: a code no level may
    /// set, a value longer than ``maximumPayload`` or not in its key's form, `always_send` on
    /// DHCPv4 108. The master checks the sets of reservations ops sends; a worker checks every set
    /// of a snapshot before it uses one.
    public func storageProblem(_ family: OptionFamily) -> String? {
        for e in entries {
            guard OptionCatalog.isStorable(e.code, family) else { return "option \(e.code) may not be configured" }
            guard e.payload.count <= OptionCatalog.maximumPayload else {
                return "option \(e.code) is \(e.payload.count) bytes, at most \(OptionCatalog.maximumPayload)"
            }
            if let key = OptionCatalog.key(code: e.code, family) {
                guard OptionText.json(e.payload, key.kind) != nil else { return "option \(e.code) is not a valid \(key.name)" }
                guard key.mayAlwaysSend || !e.alwaysSend else { return "option \(e.code) may not be always_send" }
            } else if family == .v4 && e.code == OptionCatalog.msClasslessRoutesCode {
                guard OptionText.classlessRoutes(e.payload) != nil else { return "option 249 is not a valid route list" }
            }
        }
        return nil
    }

    /// The longest value one option may hold after encoding (docs/configuration.md, "Limits").
    public static var maximumPayload: Int { OptionCatalog.maximumPayload }
}
