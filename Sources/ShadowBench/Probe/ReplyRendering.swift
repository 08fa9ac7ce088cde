import DHCPWireKit
import ShadowCore

/// Human-readable and JSON renderings of decoded replies, for the probe. The replies come from
/// DHCPWireKit's parsers (a DHCPv6 one holds a Relay-reply: at least one level).
public enum ReplyRendering {
    static let v4Types: [UInt8: String] = [2: "OFFER", 5: "ACK", 6: "NAK"]
    static let v6Types: [UInt8: String] = [2: "ADVERTISE", 7: "REPLY"]

    /// Lines describing a DHCPv4 reply.
    public static func text(_ r: DHCPv4Reply, from source: String) -> String {
        let type = r.messageType ?? 0
        var lines = ["\(v4Types[type] ?? "type \(type)") from \(source)",
                     "  xid 0x\(String(r.xid, radix: 16)), yiaddr \(r.yiaddr), giaddr \(r.giaddr), "
                         + "chaddr \(r.clientMAC.map(\.description) ?? "-"), hops \(r.hops), flags 0x\(String(r.flags, radix: 16))"]
        if let s = r.serverIdentifier { lines.append("  server identifier (54): \(s)") }
        if let m = r.subnetMask { lines.append("  subnet mask (1): \(m)") }
        if !r.routers.isEmpty { lines.append("  router (3): \(r.routers.map(\.description).joined(separator: ", "))") }
        if !r.dns.isEmpty { lines.append("  dns (6): \(r.dns.map(\.description).joined(separator: ", "))") }
        if let t = r.leaseTime {
            let t1 = r.renewalTime.map(String.init) ?? "-", t2 = r.rebindingTime.map(String.init) ?? "-"
            lines.append("  lease (51): \(t) s, T1 (58): \(t1), T2 (59): \(t2)")
        }
        if let o = r.relayAgentInformation { lines.append("  relay agent information (82): \(DUID.format(o))") }
        lines.append("  options in order: \(r.optionCodes.map(String.init).joined(separator: ", "))")
        return lines.joined(separator: "\n")
    }

    /// Lines describing a DHCPv6 Relay-reply.
    public static func text(_ r: DHCPv6Reply, from source: String) -> String {
        let level = r.levels[0]
        var lines = ["RELAY-REPL from \(source): hop-count \(level.hopCount), link-address \(level.link), peer-address \(level.peer)",
                     "  \(v6Types[r.type] ?? "type \(r.type)"), xid 0x\(String(r.xid, radix: 16))"]
        if let i = r.interfaceID { lines.append("  interface-id (18): \(String(decoding: i, as: UTF8.self))") }
        if let c = r.clientID { lines.append("  client id (1): \(DUID.format(c))") }
        if let s = r.serverID { lines.append("  server id (2): \(DUID.format(s))") }
        if let p = r.preference { lines.append("  preference (7): \(p)") }
        if r.rapidCommit { lines.append("  rapid commit (14)") }
        if let s = r.status { lines.append("  status (13): \(s.code) \(s.message)") }
        for ia in r.iaNA { lines.append("  IA_NA " + describe(ia, prefixes: false)) }
        for ia in r.iaPD { lines.append("  IA_PD " + describe(ia, prefixes: true)) }
        if !r.dns.isEmpty { lines.append("  dns (23): \(r.dns.map(\.description).joined(separator: ", "))") }
        lines.append("  options in order: \(r.optionCodes.map(String.init).joined(separator: ", "))")
        return lines.joined(separator: "\n")
    }

    static func describe(_ ia: DHCPv6Reply.IA, prefixes: Bool) -> String {
        var s = "iaid \(ia.iaid) T1 \(ia.t1) T2 \(ia.t2)"
        for l in ia.leases {
            s += prefixes ? ", prefix \(l.prefix)" : ", address \(l.prefix.address)"
            s += " (preferred \(l.preferred), valid \(l.valid))"
        }
        if let st = ia.status { s += ", status \(st.code) \(st.message)" }
        return s
    }

    /// A DHCPv4 reply as a JSON object.
    public static func json(_ r: DHCPv4Reply, from source: String) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("answered", true)
        w.field("source", source)
        let type = r.messageType ?? 0
        w.field("message_type", v4Types[type] ?? String(type))
        w.field("xid", Int(r.xid))
        w.field("yiaddr", r.yiaddr.description)
        w.field("giaddr", r.giaddr.description)
        w.field("chaddr", r.clientMAC?.description)
        w.field("server_identifier", r.serverIdentifier?.description)
        w.field("subnet_mask", r.subnetMask?.description)
        w.key("routers"); w.beginArray(); for a in r.routers { w.string(a.description) }; w.endArray()
        w.key("dns"); w.beginArray(); for a in r.dns { w.string(a.description) }; w.endArray()
        w.field("lease_time", r.leaseTime)
        w.field("renewal_time", r.renewalTime)
        w.field("rebinding_time", r.rebindingTime)
        w.field("option82", r.relayAgentInformation.map { DUID.format($0) })
        w.key("options"); w.beginArray(); for c in r.optionCodes { w.int(c) }; w.endArray()
        w.endObject()
        return w.text
    }

    /// A DHCPv6 Relay-reply as a JSON object.
    public static func json(_ r: DHCPv6Reply, from source: String) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("answered", true)
        w.field("source", source)
        w.field("message_type", v6Types[r.type] ?? String(r.type))
        w.field("xid", Int(r.xid))
        w.field("client_id", r.clientID.map { DUID.format($0) })
        w.field("server_id", r.serverID.map { DUID.format($0) })
        w.field("preference", r.preference)
        w.field("status", r.status.map { "\($0.code) \($0.message)" })
        for (name, list, pd) in [("ia_na", r.iaNA, false), ("ia_pd", r.iaPD, true)] {
            w.key(name); w.beginArray()
            for ia in list {
                w.beginObject()
                w.field("iaid", Int(ia.iaid)); w.field("t1", Int(ia.t1)); w.field("t2", Int(ia.t2))
                w.key(pd ? "prefixes" : "addresses"); w.beginArray()
                for l in ia.leases { w.string(pd ? l.prefix.description : l.prefix.address.description) }
                w.endArray()
                w.field("status", ia.status.map { "\($0.code) \($0.message)" })
                w.endObject()
            }
            w.endArray()
        }
        w.key("dns"); w.beginArray(); for a in r.dns { w.string(a.description) }; w.endArray()
        w.key("options"); w.beginArray(); for c in r.optionCodes { w.int(c) }; w.endArray()
        w.endObject()
        return w.text
    }
}
