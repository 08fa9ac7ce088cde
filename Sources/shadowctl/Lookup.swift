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
    @OptionGroup var key: KeyOptions

    func validate() throws {
        try key.validate(required: true)
        if key.ipv4 != nil || key.ipv6NA != nil || key.ipv6PD != nil {
            throw ValidationError("lookup takes a MAC, DUID, Option 82 or Option 18/37 key, not an address "
                                  + "(shadowctl reservation get finds a reservation by its addresses)")
        }
        if let mac = key.mac, MACAddress(mac) == nil { throw ValidationError("--mac: invalid MAC address \(mac)") }
        if let duid = key.duid, case .failure(let e) = DUID.parse(duid) { throw ValidationError("--duid: \(e)") }
    }

    func request() -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("command", "lookup")
        key.write(to: &w)
        w.endObject()
        return Array(w.text.utf8)
    }
}
