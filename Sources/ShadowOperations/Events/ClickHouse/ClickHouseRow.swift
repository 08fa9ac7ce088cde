import ShadowCore

/// The two tables of contrib/clickhouse/schema.sql.
public enum ClickHouseTable: String, Sendable, CaseIterable {
    case v4 = "events_v4"
    case v6 = "events_v6"

    /// `v4` or `v6`, as in the log lines.
    public var protocolName: String { self == .v4 ? "v4" : "v6" }
}

/// One DHCP event line as a `JSONEachRow` row, the shape contrib/vector/vector.toml gives it:
/// `host_name` first, then the event's fields in their order without `ip_version`, `success` as
/// 1 or 0. A DHCPv6 row also carries `requested_ipv6_pd_prefix`, `requested_ipv6_pd_length`,
/// `reservation_ipv6_pd_prefix` and `reservation_ipv6_pd_length` (the prefix's network address,
/// host bits cleared; null when the event has no prefix) for upstream's split columns; a table
/// without them skips them (`input_format_skip_unknown_fields=1`).
public enum ClickHouseRow {
    /// The row for `line` and its table; nil when the line is no DHCP event (a `management` or
    /// `ha_peer` event, an `ip_version` other than v4 or v6, or not a JSON object).
    public static func shape(_ line: [UInt8], hostName: String) -> (table: ClickHouseTable, row: String)? {
        guard case .object(let members)? = try? JSONValue.parse(line), members.first(where: { $0.name == "event_type" }) == nil
        else { return nil }
        let table: ClickHouseTable
        switch members.first(where: { $0.name == "ip_version" })?.value {
        case .string("v4")?: table = .v4
        case .string("v6")?: table = .v6
        default: return nil
        }
        var out = "{\"host_name\":"
        JSONWriter.appendQuoted(hostName, to: &out)
        for m in members where m.name != "ip_version" && m.name != "host_name" {
            out += ","
            JSONWriter.appendQuoted(m.name, to: &out)
            out += ":"
            if m.name == "success", case .bool(let b) = m.value {
                out += b ? "1" : "0"
            } else {
                write(m.value, to: &out)
            }
        }
        if table == .v6 {
            for name in ["requested_ipv6_pd", "reservation_ipv6_pd"] {
                let prefix: IPv6Prefix?
                if case .string(let text)? = members.first(where: { $0.name == name })?.value {
                    prefix = IPv6Prefix(text)
                } else {
                    prefix = nil
                }
                out += ",\"\(name)_prefix\":"
                if let prefix { JSONWriter.appendQuoted("\(prefix.network)", to: &out) } else { out += "null" }
                out += ",\"\(name)_length\":" + (prefix.map { "\($0.prefixLength)" } ?? "null")
            }
        }
        out += "}"
        return (table, out)
    }

    /// ``shape(_:hostName:)`` for a line as text.
    public static func shape(_ line: String, hostName: String) -> (table: ClickHouseTable, row: String)? {
        shape(Array(line.utf8), hostName: hostName)
    }

    private static func write(_ value: JSONValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n.description
        case .string(let s): JSONWriter.appendQuoted(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                write(item, to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, m) in members.enumerated() {
                if i > 0 { out += "," }
                JSONWriter.appendQuoted(m.name, to: &out)
                out += ":"
                write(m.value, to: &out)
            }
            out += "}"
        }
    }
}
