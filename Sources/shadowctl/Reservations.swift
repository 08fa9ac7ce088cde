import ArgumentParser
import ShadowCore

/// `shadowctl reservation add|update|delete|get`: one subscriber at a time.
struct ReservationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reservation",
        abstract: "Add, update, delete or show single reservations (persisted and published at once).",
        subcommands: [ReservationAdd.self, ReservationUpdate.self, ReservationDelete.self, ReservationGet.self])
}

/// `shadowctl reservations list`.
struct ReservationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reservations", abstract: "List the live reservations, a page at a time.",
        subcommands: [ReservationsList.self])
}

/// One key or address naming an entry (`reservation get|update|delete`) or a client (`lookup`, keys
/// only, Option 82 and 18/37 as the relay sends them): exactly one kind must be given (checked by
/// ``validate(required:)``).
struct KeyOptions: ParsableArguments {
    @Option(help: "MAC address.") var mac: String?
    @Option(help: "DUID, e.g. 00:03:00:01:00:11:22:33:44:55.") var duid: String?
    @Option(help: "IPv4 address.") var ipv4: String?
    @Option(name: .customLong("ipv6-na"), help: "IA_NA address.") var ipv6NA: String?
    @Option(name: .customLong("ipv6-pd"), help: "Delegated prefix, e.g. 2001:db8:100::/56.") var ipv6PD: String?
    @Option(name: .customLong("option82-circuit"), help: "Option 82 Agent Circuit ID.") var circuit: String?
    @Option(name: .customLong("option82-remote"), help: "Option 82 Agent Remote ID.") var remote82: String?
    @Option(name: .customLong("option82-subscriber"), help: "Option 82 Subscriber ID.") var subscriber: String?
    @Option(name: .customLong("interface-id"), help: "DHCPv6 Interface-ID (option 18).") var interfaceID: String?
    @Option(name: .customLong("remote-id"), help: "DHCPv6 Remote-ID (option 37).") var remoteID: String?
    @Option(help: "Enterprise number of the Remote-ID.") var enterprise: UInt32?

    private var hasOption82: Bool { circuit != nil || remote82 != nil || subscriber != nil }
    private var hasOption1837: Bool { interfaceID != nil || remoteID != nil || enterprise != nil }
    var isEmpty: Bool { kinds == 0 }
    private var kinds: Int {
        [mac != nil, duid != nil, ipv4 != nil, ipv6NA != nil, ipv6PD != nil, hasOption82, hasOption1837].filter { $0 }.count
    }

    func validate(required: Bool) throws {
        if kinds > 1 || (required && kinds == 0) {
            throw ValidationError("give exactly one of --mac, --duid, --ipv4, --ipv6-na, --ipv6-pd, --option82-*, "
                                  + "--interface-id/--remote-id/--enterprise")
        }
    }

    /// Writes the key as a member of the object being written.
    func write(to w: inout JSONWriter) {
        if let mac { w.field("mac", mac) }
        if let duid { w.field("duid", duid) }
        if let ipv4 { w.field("ipv4", ipv4) }
        if let ipv6NA { w.field("ipv6_na", ipv6NA) }
        if let ipv6PD { w.field("ipv6_pd", ipv6PD) }
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
    }
}

/// A reservation object (or array) given inline or as a file, as JSON text with its line breaks
/// turned into spaces (JSON allows them only between tokens).
func reservationText(_ argument: String) throws -> String {
    let trimmed = argument.drop { $0 == " " || $0 == "\n" || $0 == "\t" }
    let text: String
    if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") {
        text = argument
    } else {
        text = String(decoding: try readFile(argument), as: UTF8.self)
    }
    return text.replacing("\r", with: " ").replacing("\n", with: " ")
}

/// `{"command":COMMAND, …members, …raw}` as bytes; `raw` values are JSON text inserted as is.
func changeRequest(_ command: String, _ members: (inout JSONWriter) -> Void, raw: [(String, String)] = []) -> [UInt8] {
    var w = JSONWriter()
    w.beginObject()
    w.field("command", command)
    members(&w)
    for (name, json) in raw {
        w.key(name)
        w.raw(json)
    }
    w.endObject()
    return Array(w.text.utf8)
}

struct ReservationAdd: RequestCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add one reservation (a JSON object) or several at once (an array; all or nothing).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "A file, or the JSON itself.") var reservation: String

    func request() throws -> [UInt8] {
        let text = try reservationText(reservation)
        let member = text.drop { $0 == " " }.hasPrefix("[") ? "reservations" : "reservation"
        return changeRequest("reservation-add", { _ in }, raw: [(member, text)])
    }
}

struct ReservationUpdate: RequestCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Replace one reservation by a new one.",
        discussion: """
            The entry replaced is the one the key option names (--mac, --ipv4, ...); without one, the \
            one entry that has any of the new reservation's keys (mac, duid, option82, option1837).
            """)
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var match: KeyOptions
    @Argument(help: "A file, or the JSON object itself.") var reservation: String

    func validate() throws { try match.validate(required: false) }

    func request() throws -> [UInt8] {
        let text = try reservationText(reservation)
        return changeRequest("reservation-update", { w in
            guard !match.isEmpty else { return }
            w.key("match")
            w.beginObject()
            match.write(to: &w)
            w.endObject()
        }, raw: [("reservation", text)])
    }
}

struct ReservationDelete: RequestCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete the reservation one key or address names.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var key: KeyOptions

    func validate() throws { try key.validate(required: true) }
    func request() -> [UInt8] { changeRequest("reservation-delete") { key.write(to: &$0) } }
}

struct ReservationGet: RequestCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Show the reservation one key or address names (the stored key, not extractors).")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var key: KeyOptions

    func validate() throws { try key.validate(required: true) }
    func request() -> [UInt8] { changeRequest("reservation-get") { key.write(to: &$0) } }
}

struct ReservationsList: RequestCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List reservations from position --from (0 first), at most --limit of them.")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Position of the first one.") var from = 0
    @Option(help: "How many (1-10000).") var limit = 100

    func request() -> [UInt8] {
        changeRequest("reservations-list") { w in
            w.field("from", from)
            w.field("limit", limit)
        }
    }
}
