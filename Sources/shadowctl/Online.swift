import ArgumentParser
import ShadowCore

/// `shadowctl online`: reservations served within their lease time, per protocol and DHCPv4 subnet.
struct Online: RequestCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count the reservations served within their lease time, per protocol and DHCPv4 subnet.",
        discussion: """
            A reservation is online for a protocol when the server's last DHCPv4 ACK (DHCPv6 Reply with \
            its leases) to it is at most the lease time (valid lifetime) old. The times are the workers' \
            own, kept since the reservation was loaded or last changed.
            """)
    @OptionGroup var connection: ConnectionOptions

    func request() -> [UInt8] { simpleRequest("online") }

    var readableBody: ((JSONValue) -> Void)? { { Online.printTable($0) } }

    /// One row per DHCPv4 subnet, then the DHCPv4 and DHCPv6 totals, then the missing workers.
    static func printTable(_ response: JSONValue) {
        var rows: [[String]] = [["PROTOCOL", "SUBNET", "RESERVATIONS", "ONLINE", "LEASE (s)"]]
        func number(_ v: JSONValue?) -> String {
            if case .number(let n)? = v { return n.text }
            return "-"
        }
        let v4 = response["v4"], v6 = response["v6"]
        if case .array(let subnets)? = v4?["subnets"] {
            for s in subnets {
                guard case .string(let name)? = s["subnet"] else { continue }
                rows.append(["v4", name, number(s["reservations"]), number(s["online"]), number(v4?["lease_time"])])
            }
        }
        rows.append(["v4", "all", number(v4?["reservations"]), number(v4?["online"]), number(v4?["lease_time"])])
        rows.append(["v6", "all", number(v6?["reservations"]), number(v6?["online"]), number(v6?["valid_lifetime"])])
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        for row in rows {
            let cells = row.enumerated().map { c, text in
                let pad = String(repeating: " ", count: widths[c] - text.count)
                return c < 2 ? text + pad : pad + text
            }
            print(cells.joined(separator: "  "))
        }
        if case .array(let missing)? = response["missing_workers"], !missing.isEmpty {
            let names = missing.compactMap { v -> String? in if case .string(let s) = v { s } else { nil } }
            print("not counted (no answer from these workers): \(names.joined(separator: ", "))")
        }
    }
}
