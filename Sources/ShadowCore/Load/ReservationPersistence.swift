/// The persisted form of reservations (behavior.md §7), written by the management `replace`
/// command and read back by ``ReservationLoader``.
///
/// Pretty-printed with a 2-space indent and a trailing newline. Keys in the order `ipv4`,
/// `ipv6_na`, `ipv6_pd`, then `mac`, `duid`, `option82`, `option1837` when present; `option82`
/// always has `circuit`, `remote`, `subscriber` and `option1837` always has `interface`, `remote`,
/// `enterprise_number` (`null` when absent). Values are normalised: MAC upper case with dashes,
/// DUID lower case with colons, IPv6 compressed lower case, the masked prefix.
public enum ReservationPersistence {
    /// The file text for `reservations`.
    public static func persistedJSON(_ reservations: [Reservation]) -> String {
        if reservations.isEmpty { return "[]\n" }
        var out = "[\n"
        out.reserveCapacity(reservations.count * 160)
        for (i, r) in reservations.enumerated() {
            append(r, to: &out)
            out.append(i == reservations.count - 1 ? "\n" : ",\n")
        }
        out.append("]\n")
        return out
    }

    /// The file bytes for `reservations` (UTF-8 of ``persistedJSON(_:)``).
    public static func persistedBytes(_ reservations: [Reservation]) -> [UInt8] {
        Array(persistedJSON(reservations).utf8)
    }

    /// One entry's text as ``persistedJSON(_:)`` writes it inside the array (indented, without
    /// the separating `,\n`).
    public static func entryJSON(_ r: Reservation) -> String {
        var out = ""
        append(r, to: &out)
        return out
    }

    private static func append(_ r: Reservation, to out: inout String) {
        out.append("  {\n")
        var first = true
        func field(_ name: String, _ value: String) {
            out.append(first ? "    \"" : ",\n    \"")
            first = false
            out.append(name)
            out.append("\": ")
            out.append(value)
        }
        field("ipv4", quoted(r.ipv4.description))
        field("ipv6_na", quoted(r.ipv6NA.description))
        field("ipv6_pd", quoted(r.ipv6PD.masked.description))
        if let mac = r.mac { field("mac", quoted(mac.description)) }
        if let duid = r.duid { field("duid", quoted(duid.description)) }
        if let o = r.option82 {
            field("option82", nested([("circuit", jsonString(o.circuit)), ("remote", jsonString(o.remote)),
                                      ("subscriber", jsonString(o.subscriber))]))
        }
        if let o = r.option1837 {
            field("option1837", nested([("interface", jsonString(o.interface)), ("remote", jsonString(o.remote)),
                                        ("enterprise_number", o.enterpriseNumber.map { String($0) } ?? "null")]))
        }
        out.append("\n  }")
    }

    /// An object one level deeper than a reservation's fields.
    private static func nested(_ members: [(String, String)]) -> String {
        var s = "{\n"
        for (i, m) in members.enumerated() {
            s.append("      \"\(m.0)\": \(m.1)")
            s.append(i == members.count - 1 ? "\n" : ",\n")
        }
        s.append("    }")
        return s
    }

    private static func jsonString(_ s: String?) -> String { s.map(quoted) ?? "null" }

    /// `{"circuit":…,"remote":…}` with only the present fields, for messages.
    static func compactJSON(_ o: Option82) -> String {
        var w = JSONWriter()
        w.beginObject()
        if let v = o.circuit { w.field("circuit", v) }
        if let v = o.remote { w.field("remote", v) }
        if let v = o.subscriber { w.field("subscriber", v) }
        w.endObject()
        return w.text
    }

    /// `{"interface":…,"remote":…,"enterprise_number":…}` with only the present fields.
    static func compactJSON(_ o: Option1837) -> String {
        var w = JSONWriter()
        w.beginObject()
        if let v = o.interface { w.field("interface", v) }
        if let v = o.remote { w.field("remote", v) }
        if let v = o.enterpriseNumber { w.field("enterprise_number", v) }
        w.endObject()
        return w.text
    }
}
