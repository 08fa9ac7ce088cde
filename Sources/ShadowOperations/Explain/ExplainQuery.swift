import ShadowCore

/// The client an `explain` asks about: what a DHCPv4 DISCOVER or a relayed DHCPv6 Solicit from it
/// would carry.
public enum ExplainQuery: Sendable, Equatable {
    /// DHCPv4: chaddr (`mac`), the relay agent information as the relay sends it (`option82`),
    /// the relay's `giaddr` (`relay`). Not given: not known (a missing `relay` counts as relayed).
    case v4(mac: MACAddress?, option82: Option82?, relay: IPv4Address?)
    /// DHCPv6: the Client Identifier (`duid`), Option 18/37 as the relay sends them (`option1837`),
    /// option 79's MAC (`client_linklayer`), the Relay-forward's `peer_address`, and the
    /// link-address of the Relay-forward closest to the client (`relay`: checked against the
    /// reservation's `subnets_v6[].relays`; not given: not checked).
    case v6(duid: DUID?, option1837: Option1837?, clientLinkLayer: MACAddress?, peerAddress: IPv6Address?,
            relay: IPv6Address?)
}

/// The fields of an `explain` request.
struct ExplainFields {
    let fields: [String: JSONValue]
    private var lookup: LookupFields { LookupFields(fields) }

    init(_ fields: [String: JSONValue]) { self.fields = fields }

    static let v4Inputs = ["mac", "option82"]
    static let v6Inputs = ["duid", "option1837", "client_linklayer", "peer_address"]

    private func given(_ name: String) -> JSONValue? {
        guard let v = fields[name], v != .null else { return nil }
        return v
    }

    func query() throws -> ExplainQuery {
        let v4 = Self.v4Inputs.filter { given($0) != nil }
        let v6 = Self.v6Inputs.filter { given($0) != nil }
        var wantsV6 = !v6.isEmpty
        if let flag = given("v6") {
            guard case .bool(let b) = flag else {
                throw ManagementRequestError("`v6` must be true or false, got \(flag.kind.withArticle)")
            }
            if b { wantsV6 = true } else if !v6.isEmpty {
                throw ManagementRequestError("`v6` is false but DHCPv6 inputs are given: "
                                             + v6.map { "`\($0)`" }.joined(separator: ", "))
            }
        }
        if wantsV6 && !v4.isEmpty {
            throw ManagementRequestError("explain asks about one protocol: DHCPv4 takes `mac`, `option82` (given: "
                + v4.map { "`\($0)`" }.joined(separator: ", ") + "), DHCPv6 takes `duid`, `option1837`, "
                + "`client_linklayer`, `peer_address` (a MAC in option 79 is `client_linklayer`)")
        }
        guard !v4.isEmpty || !v6.isEmpty else {
            throw ManagementRequestError("explain needs a client: `mac` and/or `option82` (DHCPv4), or `duid`, "
                                         + "`option1837`, `client_linklayer`, `peer_address` (DHCPv6)")
        }
        let relay = try given("relay").map { try lookup.string($0, "relay") }
        if wantsV6 {
            var relayAddress: IPv6Address?
            if let relay {
                guard let a = IPv6Address(relay) else {
                    throw ManagementRequestError("`relay`: invalid IPv6 address \"\(relay)\"")
                }
                relayAddress = a
            }
            return .v6(duid: try given("duid").map { try lookup.duid($0) },
                       option1837: try given("option1837").map { try lookup.option1837($0) },
                       clientLinkLayer: try given("client_linklayer").map { try mac($0, "client_linklayer") },
                       peerAddress: try given("peer_address").map { try ipv6($0, "peer_address") },
                       relay: relayAddress)
        }
        var relayAddress: IPv4Address?
        if let relay {
            guard let a = IPv4Address(relay) else {
                throw ManagementRequestError("`relay`: invalid IPv4 address \"\(relay)\" (a DHCPv4 relay's giaddr)")
            }
            relayAddress = a
        }
        return .v4(mac: try given("mac").map { try lookup.mac($0) },
                   option82: try given("option82").map { try lookup.option82($0) }, relay: relayAddress)
    }

    private func mac(_ v: JSONValue, _ path: String) throws -> MACAddress {
        let s = try lookup.string(v, path)
        guard let m = MACAddress(s) else {
            throw ManagementRequestError("`\(path)`: invalid MAC address \"\(s)\"; expected e.g. 00-11-22-33-44-55")
        }
        return m
    }

    private func ipv6(_ v: JSONValue, _ path: String) throws -> IPv6Address {
        let s = try lookup.string(v, path)
        guard let a = IPv6Address(s) else { throw ManagementRequestError("`\(path)`: invalid IPv6 address \"\(s)\"") }
        return a
    }
}
