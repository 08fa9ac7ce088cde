import ArgumentParser
import ShadowCore

/// `shadowctl explain`: why a client gets, or does not get, an answer.
struct Explain: RequestCommand {
    static let configuration = CommandConfiguration(
        abstract: "Walk the workers' lookup for one client step by step and say whether it gets an answer.",
        discussion: """
            DHCPv4: --mac (chaddr) and/or the Option 82 the relay sends. DHCPv6 (--v6, implied by its \
            inputs): --duid, --option1837-*, --client-linklayer (option 79), --peer-address. --relay is \
            checked against the reservation's subnet's `relays` (RelayNotAllowedForSubnet). Shows each \
            extractor tried, the key it produced, whether that key is reserved, the learned-binding \
            fallback for DHCPv6, and the verdict: the reservation and the options it gets, or the reason \
            no reply is sent (the name the workers count in stats). For a miss, near matches.
            """)
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "DHCPv4 client hardware address (chaddr).") var mac: String?
    @Option(name: .customLong("option82-circuit"), help: "Option 82 circuit-id as the relay sends it.") var circuit: String?
    @Option(name: .customLong("option82-remote"), help: "Option 82 remote-id as the relay sends it.") var remote: String?
    @Option(name: .customLong("option82-subscriber"), help: "Option 82 subscriber-id.") var subscriber: String?
    @Option(help: "DHCPv6 Client Identifier.") var duid: String?
    @Option(name: .customLong("option1837-interface"), help: "DHCPv6 Interface-ID (18).") var interface: String?
    @Option(name: .customLong("option1837-remote"), help: "DHCPv6 Remote-ID (37).") var remoteID: String?
    @Option(name: .customLong("option1837-enterprise"), help: "Option 37's enterprise number.") var enterprise: UInt32?
    @Option(name: .customLong("client-linklayer"), help: "DHCPv6 option 79's MAC.") var clientLinkLayer: String?
    @Option(name: .customLong("peer-address"), help: "The Relay-forward's peer-address.") var peerAddress: String?
    @Flag(help: "Explain DHCPv6 (implied by --duid, --option1837-*, --client-linklayer, --peer-address).") var v6 = false
    @Option(help: "The relay: DHCPv4 giaddr (0.0.0.0: not relayed), DHCPv6 link-address of the relay closest to the client.") var relay: String?

    /// The walk's lines say what `steps` holds.
    var hiddenFields: Set<String> { ["steps"] }
    var listFields: Set<String> { ["walk"] }

    func validate() throws {
        let hasV4 = mac != nil || circuit != nil || remote != nil || subscriber != nil
        let hasV6 = duid != nil || interface != nil || remoteID != nil || enterprise != nil || clientLinkLayer != nil
            || peerAddress != nil
        if hasV4 && (hasV6 || v6) {
            throw ValidationError("--mac and --option82-* explain DHCPv4; DHCPv6 takes --duid, --option1837-*, "
                                  + "--client-linklayer, --peer-address")
        }
        if !hasV4 && !hasV6 { throw ValidationError("give a client: --mac / --option82-* (DHCPv4) or --duid, "
                                                     + "--option1837-*, --client-linklayer, --peer-address (DHCPv6)") }
        if let mac, MACAddress(mac) == nil { throw ValidationError("--mac: invalid MAC address \(mac)") }
        if let m = clientLinkLayer, MACAddress(m) == nil { throw ValidationError("--client-linklayer: invalid MAC address \(m)") }
        if let duid, case .failure(let e) = DUID.parse(duid) { throw ValidationError("--duid: \(e)") }
    }

    func request() -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("command", "explain")
        if let mac { w.field("mac", mac) }
        if circuit != nil || remote != nil || subscriber != nil {
            w.key("option82")
            w.beginObject()
            if let circuit { w.field("circuit", circuit) }
            if let remote { w.field("remote", remote) }
            if let subscriber { w.field("subscriber", subscriber) }
            w.endObject()
        }
        if let duid { w.field("duid", duid) }
        if interface != nil || remoteID != nil || enterprise != nil {
            w.key("option1837")
            w.beginObject()
            if let interface { w.field("interface", interface) }
            if let remoteID { w.field("remote", remoteID) }
            if let enterprise { w.field("enterprise_number", enterprise) }
            w.endObject()
        }
        if let clientLinkLayer { w.field("client_linklayer", clientLinkLayer) }
        if let peerAddress { w.field("peer_address", peerAddress) }
        if v6 { w.field("v6", true) }
        if let relay { w.field("relay", relay) }
        w.endObject()
        return Array(w.text.utf8)
    }
}
