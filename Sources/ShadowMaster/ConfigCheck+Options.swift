import ShadowCore

/// The options part of the `--check` summary.
extension ConfigCheck {
    /// The configured levels of config.json: top, each subnet that sets something.
    static func levelsSummary(_ c: ServerConfig) -> String {
        var out = "  options_v4: \(c.optionsV4.configurationJSON(.v4))"
            + (c.msClasslessRoutes ? " (ms_classless_routes: 121 also sent as 249)" : "") + "\n"
        out += "  options_v6: \(c.optionsV6.configurationJSON(.v6))\n"
        for s in c.subnetsV4 where !s.options.isEmpty || !s.relays.isEmpty {
            out += "  subnet \(s.net): " + level(s.options, .v4) + relays(s.relays.map(\.description)) + "\n"
        }
        out += "  subnets_v6: \(c.subnetsV6.count)\n"
        for s in c.subnetsV6 {
            out += "  subnet \(s.link): " + level(s.options, .v6) + relays(s.relays.map(\.description)) + "\n"
        }
        return out
    }

    private static func level(_ set: DHCPOptionSet, _ family: OptionFamily) -> String {
        (set.leaseTime.map { "\(family.leaseTimeKey) \($0), " } ?? "") + "\(family.levelKey) \(set.configurationJSON(family))"
    }

    private static func relays(_ list: [String]) -> String {
        list.isEmpty ? "" : "; relays \(list.joined(separator: ", "))"
    }

    /// How many distinct option sets the reservations use (each stored once in the snapshot), and
    /// for each (the first ten) how many reservations use it and what the first of them gets once
    /// the levels are merged.
    static func optionsSummary(_ l: LoadedConfiguration, _ snapshot: ReservationSnapshot) -> String {
        let distinct = snapshot.distinctOptionSets
        var out = "  option sets: \(distinct.v4) distinct options_v4, \(distinct.v6) distinct options_v6"
            + " (interned: each stored once)\n"
        let count = max(1, l.reservations.count)
        out += "  snapshot image: \(snapshot.bytes.count) bytes, \(snapshot.bytes.count / count) per reservation"
            + " (each worker maps it)\n"
        struct Levels: Hashable { var v4, v6: DHCPOptionSet }
        var users: [Levels: (count: Int, first: Reservation)] = [:]
        var order: [Levels] = []
        for r in l.reservations where !r.optionsV4.isEmpty || !r.optionsV6.isEmpty {
            let key = Levels(v4: r.optionsV4, v6: r.optionsV6)
            if let u = users[key] { users[key] = (u.count + 1, u.first) } else {
                users[key] = (1, r)
                order.append(key)
            }
        }
        for key in order.prefix(10) {
            let u = users[key]!
            out += "  \(u.count) reservation\(u.count == 1 ? "" : "s") like \(u.first.ipv4):"
                + " v4 \(EffectiveOptions.v4JSON(u.first, l.config)); v6 \(EffectiveOptions.v6JSON(u.first, l.config))\n"
        }
        if order.count > 10 { out += "  ... and \(order.count - 10) more combinations\n" }
        return out
    }
}
