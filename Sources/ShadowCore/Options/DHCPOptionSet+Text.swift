/// A level of options back in its configuration form, for `reservations.json` (written by
/// `replace` and the change commands), `lookup` and `--check`.
extension DHCPOptionSet {
    /// The `options_v4` / `options_v6` object as compact JSON: named keys in documentation order,
    /// then `custom`, then `always_send`. 249 is left out (it follows `classless_routes` and the
    /// top-level `ms_classless_routes`); a payload that does not decode (never produced by the
    /// loader) is shown as a custom code. `{}` when the level sets no option.
    public func configurationJSON(_ family: OptionFamily) -> String {
        var w = JSONWriter()
        w.beginObject()
        var custom: [Entry] = []
        var always: [String] = []
        var alwaysCodes: [UInt16] = []
        for key in OptionCatalog.keys(family) {
            guard let e = entry(code: key.code) else { continue }
            guard let text = OptionText.json(e.payload, key.kind) else { custom.append(e); continue }
            w.key(key.name)
            w.raw(text)
            if e.alwaysSend { always.append(key.name) }
        }
        for e in entries where OptionCatalog.key(code: e.code, family) == nil {
            if family == .v4 && e.code == OptionCatalog.msClasslessRoutesCode { continue }
            custom.append(e)
        }
        custom.sort { $0.code < $1.code }
        if !custom.isEmpty {
            w.key("custom")
            w.beginArray()
            for e in custom {
                w.beginObject()
                w.field("code", e.code)
                w.field("hex", OptionHex.text(e.payload))
                w.endObject()
                if e.alwaysSend { alwaysCodes.append(e.code) }
            }
            w.endArray()
        }
        if !always.isEmpty || !alwaysCodes.isEmpty {
            w.key("always_send")
            w.beginArray()
            for name in always { w.string(name) }
            for code in alwaysCodes { w.int(code) }
            w.endArray()
        }
        w.endObject()
        return w.text
    }

    /// Whether the level sets any option (its lease time aside).
    public var hasOptions: Bool { !entries.isEmpty }
}

/// One encoded value back as the JSON the configuration gives for it.
enum OptionText {
    static func json(_ payload: [UInt8], _ kind: OptionKind) -> String? {
        var w = JSONWriter()
        switch kind {
        case .domainText, .text:
            w.string(String(decoding: payload, as: UTF8.self))
        case .domainWire:
            guard let names = DomainNameWire.decode(payload), names.count == 1 else { return nil }
            w.string(names[0])
        case .domainList:
            guard let names = DomainNameWire.decode(payload) else { return nil }
            w.beginArray(); for n in names { w.string(n) }; w.endArray()
        case .ipv4List:
            guard payload.count % 4 == 0, !payload.isEmpty else { return nil }
            w.beginArray()
            for i in stride(from: 0, to: payload.count, by: 4) { w.string("\(IPv4Address(networkBytes: payload[i..<(i + 4)]))") }
            w.endArray()
        case .ipv6List:
            guard payload.count % 16 == 0, !payload.isEmpty else { return nil }
            w.beginArray()
            for i in stride(from: 0, to: payload.count, by: 16) { w.string("\(IPv6Address(networkBytes: payload[i..<(i + 16)]))") }
            w.endArray()
        case .ntpServers:
            guard payload.count % 20 == 0, !payload.isEmpty else { return nil }
            w.beginArray()
            for i in stride(from: 0, to: payload.count, by: 20) {
                guard payload[i] == 0, payload[i + 1] == OptionEncoding.ntpSubOptionServerAddress,
                      payload[i + 2] == 0, payload[i + 3] == 16 else { return nil }
                w.string("\(IPv6Address(networkBytes: payload[(i + 4)..<(i + 20)]))")
            }
            w.endArray()
        case .unsigned(let bytes, _):
            guard payload.count == bytes else { return nil }
            w.int(payload.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        case .signed32:
            guard payload.count == 4 else { return nil }
            w.int(Int32(bitPattern: payload.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
        case .classlessRoutes:
            guard let routes = classlessRoutes(payload) else { return nil }
            w.beginArray()
            for r in routes {
                w.beginObject(); w.field("net", "\(r.net)"); w.field("router", "\(r.router)"); w.endObject()
            }
            w.endArray()
        case .hex:
            w.string(OptionHex.text(payload))
        case .vendorList:
            var i = 0
            w.beginArray()
            while i < payload.count {
                guard i + 5 <= payload.count else { return nil }
                let n = Int(payload[i + 4])
                guard i + 5 + n <= payload.count else { return nil }
                vendor(&w, Array(payload[i..<(i + 4)]), payload[(i + 5)..<(i + 5 + n)])
                i += 5 + n
            }
            w.endArray()
        case .vendorOption:
            guard payload.count > 4 else { return nil }
            w.beginArray(); vendor(&w, Array(payload[0..<4]), payload[4...]); w.endArray()
        }
        return w.text
    }

    private static func vendor(_ w: inout JSONWriter, _ enterprise: [UInt8], _ data: ArraySlice<UInt8>) {
        w.beginObject()
        w.field("enterprise", enterprise.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        w.field("hex", OptionHex.text(data))
        w.endObject()
    }

    /// RFC 3442 routes back from their encoding.
    static func classlessRoutes(_ p: [UInt8]) -> [(net: IPv4Network, router: IPv4Address)]? {
        var out: [(net: IPv4Network, router: IPv4Address)] = []
        var i = 0
        while i < p.count {
            let length = Int(p[i])
            let significant = (length + 7) / 8
            guard length <= 32, i + 1 + significant + 4 <= p.count else { return nil }
            var dest: UInt32 = 0
            for k in 0..<4 { dest = dest << 8 | (k < significant ? UInt32(p[i + 1 + k]) : 0) }
            let router = IPv4Address(networkBytes: p[(i + 1 + significant)..<(i + 5 + significant)])
            out.append((IPv4Network(address: IPv4Address(dest), prefixLength: UInt8(length)), router))
            i += 1 + significant + 4
        }
        return out.isEmpty ? nil : out
    }
}
