import DHCPv4
import DHCPv6
import IPC
import ShadowCore

/// Answers `explain`: the lookup the workers run, walked step by step by the engines' own
/// functions (``DHCPv4Engine/explain(mac:option82:relay:snapshot:config:shares:)``,
/// ``DHCPv6Engine/explain(clientID:option1837:clientLinkLayer:peerAddress:linkAddress:snapshot:config:learnedOption82:shares:holdCorrelation:)``)
/// over the snapshot the master published, and the verdict; this type only formats it.
struct ExplainResolver {
    let context: ManagementContext
    /// The learned MAC → Option 82 bindings of the MACs the DHCPv6 MAC extractors yield.
    let bindings: [MACAddress: BindingTable.Entry]
    /// Who answers which clients (high availability), as the master tells the workers.
    var shares = WorkerShares(shares: .standalone, holdCorrelation: false)

    private var snapshot: ReservationSnapshot { context.snapshot }
    private var config: ServerConfig { context.config }

    /// The MACs whose bindings a DHCPv6 `query` needs (what every MAC extractor yields).
    static func macs(for query: ExplainQuery) -> [MACAddress] {
        guard case .v6(let duid, _, let linkLayer, let peer, _) = query else { return [] }
        let input = MACExtractionInput(clientLinkLayerAddress: linkLayer, peerAddress: peer ?? .any, clientID: duid?.bytes)
        var out: [MACAddress] = []
        for e in MACExtractor.allCases { if let m = e.extract(input), !out.contains(m) { out.append(m) } }
        return out
    }

    func response(for query: ExplainQuery) -> ManagementResponse {
        switch query {
        case .v4(let mac, let option82, let relay):
            let x = DHCPv4Engine.explain(mac: mac, option82: option82, relay: relay, snapshot: snapshot, config: config,
                                         shares: shares.shares)
            let candidates = x.trace.match == nil ? ExplainCandidates(snapshot: snapshot, config: config)
                .v4(mac: mac, option82: option82) : []
            switch x.verdict {
            case .offer(let i):
                return respond("v4", query, x.trace, verdict: "Offer", reason: nil, entry: i, candidates: candidates,
                               message: "DHCPv4: OFFER with entry \(i) (\(method(x.trace)))") { w in
                    effectiveV4(entry: i, subnet: x.subnet, to: &w)
                }
            case .noReply(let reason):
                return respond("v4", query, x.trace, verdict: nil, reason: reason.rawValue, entry: x.trace.match?.index,
                               candidates: candidates, message: "DHCPv4: no reply (\(reason.rawValue))", effective: nil)
            }
        case .v6(let duid, let option1837, let linkLayer, let peer, let relay):
            let x = DHCPv6Engine.explain(clientID: duid, option1837: option1837, clientLinkLayer: linkLayer,
                                         peerAddress: peer, linkAddress: relay, snapshot: snapshot, config: config,
                                         learnedOption82: { bindings[$0]?.option82 }, shares: shares.shares,
                                         holdCorrelation: shares.holdCorrelation)
            let input = MACExtractionInput(clientLinkLayerAddress: linkLayer, peerAddress: peer ?? .any, clientID: duid?.bytes)
            let candidates = x.trace.match == nil ? ExplainCandidates(snapshot: snapshot, config: config)
                .v6(duid: duid, option1837: option1837, macInput: input) : []
            switch x.verdict {
            case .advertise(let i):
                return respond("v6", query, x.trace, verdict: "Advertise", reason: nil, entry: i, candidates: candidates,
                               message: "DHCPv6: ADVERTISE with entry \(i) (\(method(x.trace)))") { w in
                    effectiveV6(entry: i, to: &w)
                }
            case .noReply(let reason):
                return respond("v6", query, x.trace, verdict: nil, reason: reason.rawValue, entry: x.trace.match?.index,
                               candidates: candidates, message: "DHCPv6: no reply to a Solicit (\(reason.rawValue))",
                               effective: nil)
            }
        }
    }

    private func method(_ trace: LookupTrace) -> String {
        guard let m = trace.match else { return "-" }
        return m.method.rawValue + (m.extractor.map { " via \($0)" } ?? "")
    }

    private func respond(_ proto: String, _ query: ExplainQuery, _ trace: LookupTrace, verdict: String?, reason: String?,
                         entry: Int?, candidates: [ExplainCandidates.Candidate], message: String,
                         effective: ((inout JSONWriter) -> Void)?) -> ManagementResponse {
        var fields: [ManagementResponse.Field] = [
            .string("protocol", proto),
            .build("query") { write(query, to: &$0) },
            .strings("walk", trace.steps.map(\.text)),
            .build("steps") { w in
                w.beginArray()
                for s in trace.steps { write(s, to: &w) }
                w.endArray()
            },
            .string("reply", verdict),
            .string("no_reply_reason", reason),
            .build("match") { w in
                guard let m = trace.match else { w.null(); return }
                w.beginObject()
                w.field("entry", m.index)
                w.field("method", m.method.rawValue)
                w.field("extractor", m.extractor)
                w.key("reservation")
                OperationsJSON.write(snapshot[m.index], to: &w)
                w.endObject()
            },
        ]
        if let effective { fields.append(.build("effective", effective)) }
        if trace.match == nil {
            fields.append(.build("candidates") { w in
                w.beginArray()
                for c in candidates {
                    w.beginObject()
                    w.field("entry", c.entry)
                    w.field("why", c.why)
                    w.key("reservation")
                    OperationsJSON.write(snapshot[c.entry], to: &w)
                    w.endObject()
                }
                w.endArray()
            })
        }
        fields.append(.int("snapshot_generation", snapshot.generation))
        return .ok(message, fields)
    }

    private func write(_ s: LookupStep, to w: inout JSONWriter) {
        w.beginObject()
        w.field("key", s.key)
        w.field("extractor", s.extractor)
        w.field("input", s.input)
        w.field("produced", s.produced)
        w.field("entry", s.found)
        w.endObject()
    }

    /// The options a DHCPv4 reply with entry `i` carries (today's: the subnet's, the global DNS
    /// and lease times).
    private func effectiveV4(entry i: Int, subnet: SubnetV4?, to w: inout JSONWriter) {
        w.beginObject()
        w.field("ipv4", snapshot.ipv4(at: i).description)
        w.field("subnet", subnet?.net.description)
        w.field("router", subnet?.gateway.description)
        w.field("subnet_mask", subnet?.replyMask.description)
        w.key("dns_v4")
        w.beginArray()
        for d in config.dnsV4 { w.string(d.description) }
        w.endArray()
        w.field("lease_time", config.leases.v4Lease)
        w.field("renewal_time", config.leases.v4T1)
        w.field("rebinding_time", config.leases.v4T2)
        w.endObject()
    }

    /// The options a DHCPv6 reply with entry `i` carries.
    private func effectiveV6(entry i: Int, to w: inout JSONWriter) {
        w.beginObject()
        w.field("ipv6_na", snapshot.ipv6NA(at: i).description)
        w.field("ipv6_pd", snapshot.ipv6PD(at: i).masked.description)
        w.key("dns_v6")
        w.beginArray()
        for d in config.dnsV6 { w.string(d.description) }
        w.endArray()
        w.field("preferred_lifetime", config.leases.v6Preferred)
        w.field("valid_lifetime", config.leases.v6Valid)
        w.field("t1", config.leases.v6T1)
        w.field("t2", config.leases.v6T2)
        w.endObject()
    }

    private func write(_ q: ExplainQuery, to w: inout JSONWriter) {
        w.beginObject()
        switch q {
        case .v4(let mac, let option82, let relay):
            w.field("mac", mac?.description)
            w.key("option82")
            if let option82 { OperationsJSON.write(option82, to: &w) } else { w.null() }
            w.field("relay", relay?.description)
        case .v6(let duid, let option1837, let linkLayer, let peer, let relay):
            w.field("duid", duid?.description)
            w.key("option1837")
            if let option1837 { OperationsJSON.write(option1837, to: &w) } else { w.null() }
            w.field("client_linklayer", linkLayer?.description)
            w.field("peer_address", peer?.description)
            w.field("relay", relay?.description)
        }
        w.endObject()
    }
}
