import ArgumentParser
import ShadowCore

/// `shadowctl lookup`: which reservation the server would answer for a key, and how.
struct Lookup: RequestCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show which reservation the server would answer for a MAC, DUID, Option 82 or Option 18/37.",
        discussion: """
            Give exactly one kind of key. Option 82 and Option 18/37 values are given as the relay \
            sends them; the configured extractors run over them as for a real request.
            """)
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Client MAC (chaddr, or what a DHCPv6 MAC extractor yields).") var mac: String?
    @Option(help: "DHCPv6 Client Identifier, e.g. 00:03:00:01:00:11:22:33:44:55.") var duid: String?
    @Option(name: .customLong("option82-circuit"), help: "Option 82 Agent Circuit ID.") var circuit: String?
    @Option(name: .customLong("option82-remote"), help: "Option 82 Agent Remote ID.") var remote82: String?
    @Option(name: .customLong("option82-subscriber"), help: "Option 82 Subscriber ID.") var subscriber: String?
    @Option(name: .customLong("interface-id"), help: "DHCPv6 Interface-ID (option 18).") var interfaceID: String?
    @Option(name: .customLong("remote-id"), help: "DHCPv6 Remote-ID (option 37).") var remoteID: String?
    @Option(help: "Enterprise number of the Remote-ID.") var enterprise: UInt32?

    private var hasOption82: Bool { circuit != nil || remote82 != nil || subscriber != nil }
    private var hasOption1837: Bool { interfaceID != nil || remoteID != nil || enterprise != nil }

    func validate() throws {
        let kinds = [mac != nil, duid != nil, hasOption82, hasOption1837].filter { $0 }.count
        guard kinds == 1 else {
            throw ValidationError("give exactly one of --mac, --duid, --option82-*, --interface-id/--remote-id/--enterprise")
        }
        if let mac, MACAddress(mac) == nil { throw ValidationError("--mac: invalid MAC address \(mac)") }
        if let duid, case .failure(let e) = DUID.parse(duid) { throw ValidationError("--duid: \(e)") }
    }

    func request() -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("command", "lookup")
        if let mac { w.field("mac", mac) }
        if let duid { w.field("duid", duid) }
        if hasOption82 {
            w.key("option82")
            w.beginObject()
            if let circuit { w.field("circuit", circuit) }
            if let remote82 { w.field("remote", remote82) }
            if let subscriber { w.field("subscriber", subscriber) }
            w.endObject()
        }
        if hasOption1837 {
            w.key("option1837")
            w.beginObject()
            if let interfaceID { w.field("interface", interfaceID) }
            if let remoteID { w.field("remote", remoteID) }
            if let enterprise { w.field("enterprise_number", enterprise) }
            w.endObject()
        }
        w.endObject()
        return Array(w.text.utf8)
    }
}
