import ShadowCore

/// Answers `lookup`: which reservation the workers would pick for a key, and by which method,
/// calling the lookup the DHCP engines call (`ReservationSnapshot.lookupV4` / `lookupV6` and their
/// steps, docs/dhcpv4.md, docs/dhcpv6.md); this type only formats the answer.
struct LookupResolver {
    let context: ManagementContext

    private var snapshot: ReservationSnapshot { context.snapshot }
    private var config: ServerConfig { context.config }

    /// A found reservation and how.
    struct Found {
        var match: ReservationMatch
        var reservation: Reservation
    }

    /// `binding` is the learned MAC→Option 82 binding when the query is a MAC. `lastServed`, the
    /// workers' times for this context's snapshot, gives `last_served_v4` / `last_served_v6` of the
    /// reservation found for each protocol (null when none was found, it was not served since it
    /// was loaded or changed, or the times are not available).
    func response(for query: LookupQuery, binding: BindingTable.Entry?,
                  lastServed: LastServedTimes? = nil) -> ManagementResponse {
        let (v4, v6) = matches(for: query, binding: binding)
        var fields: [ManagementResponse.Field] = [
            .build("query") { write(query, to: &$0) },
            .build("v4") { write(v4, to: &$0) },
            .build("v6") { write(v6, to: &$0) },
            .build("effective_v4") { w in
                if let v4 { w.raw(EffectiveOptions.v4JSON(v4.reservation, config)) } else { w.null() }
            },
            .build("effective_v6") { w in
                if let v6 { w.raw(EffectiveOptions.v6JSON(v6.reservation, config)) } else { w.null() }
            },
            .int("last_served_v4", v4.flatMap { lastServed?.lastServedV4($0.match.index) }),
            .int("last_served_v6", v6.flatMap { lastServed?.lastServedV6($0.match.index) }),
        ]
        if case .mac = query {
            fields.append(.build("learned_binding") { w in
                if let binding { OperationsJSON.write(binding, to: &w) } else { w.null() }
            })
            fields.append(.strings("mac_extractors", config.macExtractors.map(\.name)))
        }
        let message = v4 == nil && v6 == nil ? "No reservation found" : "Reservation found"
        return .ok(message, fields)
    }

    func matches(for query: LookupQuery, binding: BindingTable.Entry?) -> (v4: Found?, v6: Found?) {
        switch query {
        case .mac(let mac):
            return (found(snapshot.lookupV4(mac: mac, option82: nil, extractors: [])), v6(mac: mac, binding: binding))
        case .duid(let duid):
            return (nil, found(duid.bytes.withUnsafeBytes { snapshot.matchV6(clientIDBytes: $0) }))
        case .option82(let o):
            return (found(snapshot.lookupV4(mac: nil, option82: o, extractors: config.option82Extractors)), nil)
        case .option1837(let o):
            return (nil, found(snapshot.matchV6(option1837: o, extractors: config.option1837Extractors)))
        }
    }

    /// DHCPv6 by a MAC a MAC extractor yields: the workers' MAC step (the reservation with that MAC,
    /// else the learned binding's Option 82, `lease_fallback`). The extractor name is not known here:
    /// it is whichever configured MAC extractor yields this MAC first.
    private func v6(mac: MACAddress, binding: BindingTable.Entry?) -> Found? {
        found(snapshot.matchV6(mac: mac, extractor: nil, learnedOption82: binding?.option82))
    }

    private func found(_ m: ReservationMatch?) -> Found? {
        m.map { Found(match: $0, reservation: snapshot[$0.index]) }
    }

    private func write(_ f: Found?, to w: inout JSONWriter) {
        guard let f else { w.null(); return }
        w.beginObject()
        w.field("method", f.match.method.rawValue)
        w.field("extractor", f.match.extractor)
        w.key("reservation")
        OperationsJSON.write(f.reservation, to: &w)
        w.endObject()
    }

    private func write(_ q: LookupQuery, to w: inout JSONWriter) {
        w.beginObject()
        switch q {
        case .mac(let m): w.field("mac", m.description)
        case .duid(let d): w.field("duid", d.description)
        case .option82(let o): w.key("option82"); OperationsJSON.write(o, to: &w)
        case .option1837(let o): w.key("option1837"); OperationsJSON.write(o, to: &w)
        }
        w.endObject()
    }
}
