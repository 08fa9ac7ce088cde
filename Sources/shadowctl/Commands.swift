import ArgumentParser
import ShadowCore
import ShadowOperations

struct Status: RequestCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show that the server is up, its reservations and index keys, and the live snapshot.")
    @OptionGroup var connection: ConnectionOptions
    func request() -> [UInt8] { simpleRequest("status") }
    var readableBody: ((JSONValue) -> Void)? { { Status.printReadable($0) } }

    /// `reservations: N`, then the index keys named as what upstream's `reservation_count` counts,
    /// then the other fields as `key: value` lines.
    static func printReadable(_ value: JSONValue) {
        guard case .object(let members) = value else { return }
        func text(_ name: String) -> String {
            if case .number(let n)? = value[name] { return n.text }
            return "-"
        }
        print("reservations: \(text("reservations"))")
        print("index keys: \(text("index_keys")) (reservation_count: each MAC, DUID… a reservation is found by)")
        let shown: Set<String> = ["success", "message", "reservation_count", "reservations", "index_keys"]
        for m in members where !shown.contains(m.name) {
            ResponsePrinter.printMember(m.name, m.value, indent: 0)
        }
    }
}

struct Reload: RequestCommand {
    static let configuration = CommandConfiguration(abstract: "Re-read reservations.json (same as SIGHUP).")
    @OptionGroup var connection: ConnectionOptions
    func request() -> [UInt8] { simpleRequest("reload") }
}

struct Workers: RequestCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each worker: pid, generation, uid, capabilities, NoNewPrivs, seccomp, restarts.")
    @OptionGroup var connection: ConnectionOptions
    func request() -> [UInt8] { simpleRequest("workers") }
}

struct Stats: RequestCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show per-protocol counters: received, replies by type, drops by reason, events.")
    @OptionGroup var connection: ConnectionOptions
    func request() -> [UInt8] { simpleRequest("stats") }
}

struct Version: RequestCommand {
    static let configuration = CommandConfiguration(abstract: "Show the server's version.")
    @OptionGroup var connection: ConnectionOptions
    func request() -> [UInt8] { simpleRequest("version") }
}

struct Peers: RequestCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the HA peers: state, last heartbeat, snapshot match, bindings sent and received; "
            + "and which servers' shares this one answers.")
    @OptionGroup var connection: ConnectionOptions
    func request() -> [UInt8] { simpleRequest("peers") }
}

struct Bindings: RequestCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the number of MAC to Option 82 bindings, and the binding of one MAC.")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "A client MAC address.") var mac: String?

    func validate() throws {
        if let mac, MACAddress(mac) == nil { throw ValidationError("--mac: invalid MAC address \(mac)") }
    }

    func request() -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("command", "bindings")
        if let mac { w.field("mac", mac) }
        w.endObject()
        return Array(w.text.utf8)
    }
}
