/// `options_v4` / `options_v6` objects (docs/configuration.md, "Options"): at the top of
/// `config.json`, in `subnets_v4[]` / `subnets_v6[]` entries and in reservations.
extension TreeDecoder {
    /// Where an options object stands: only the top level may set `ms_classless_routes`.
    enum OptionLevel { case top, subnet, reservation }

    /// The options of one level, every value encoded for the wire; nil after an error (recorded).
    ///
    /// - Parameter msClasslessRoutes: the top level's `ms_classless_routes`; a level that sets
    ///   `classless_routes` then also sets 249 with the same payload and `always_send` flag, so
    ///   that 121 and 249 always come from the same level when levels merge.
    mutating func optionLevel(_ value: JSONValue, at path: String, _ family: OptionFamily, _ level: OptionLevel,
                              msClasslessRoutes: Bool) -> DHCPOptionSet? {
        let keys = OptionCatalog.keys(family)
        var allowed = keys.map(\.name) + ["custom", "always_send"]
        if family == .v4 { allowed.append("ms_classless_routes") }
        guard let f = object(value, at: path, allowed: allowed) else { return nil }
        let before = errors.count
        var entries: [DHCPOptionSet.Entry] = []
        for key in keys {
            guard let v = f[key.name], let payload = optionPayload(v, at: f.path(key.name), key.kind) else { continue }
            if payload.count > OptionCatalog.maximumPayload {
                fail(f.path(key.name), "encodes to \(payload.count) bytes; one option value holds at most "
                     + "\(OptionCatalog.maximumPayload)")
                continue
            }
            entries.append(DHCPOptionSet.Entry(code: key.code, payload: payload))
        }
        let custom = f["custom"].flatMap { customOptions($0, at: f.path("custom"), family) }
        entries += custom ?? []
        var ms = msClasslessRoutes
        if let v = f["ms_classless_routes"], let b = bool(v, at: f.path("ms_classless_routes")) {
            if level == .top { ms = b } else {
                fail(f.path("ms_classless_routes"), "only in the top-level options_v4 of config.json: it applies to "
                     + "every level, so that options 121 and 249 always agree")
            }
        }
        if let v = f["always_send"] {
            // A key given with an invalid value has its error already: always_send does not add one.
            let invalid = Set(keys.filter { f[$0.name] != nil }.map(\.code)).subtracting(entries.map(\.code))
            applyAlwaysSend(v, at: f.path("always_send"), family, to: &entries, invalid: invalid,
                            customInvalid: f["custom"] != nil && custom == nil)
        }
        if ms, let routes = entries.first(where: { $0.code == 121 }) {
            entries.append(DHCPOptionSet.Entry(code: OptionCatalog.msClasslessRoutesCode, payload: routes.payload,
                                               alwaysSend: routes.alwaysSend))
        }
        guard errors.count == before else { return nil }
        return DHCPOptionSet(entries: entries)
    }

    /// `ms_classless_routes` of a top-level `options_v4` (false when absent or invalid: its error
    /// is reported by ``optionLevel(_:at:_:_:msClasslessRoutes:)``).
    func msClasslessRoutes(_ value: JSONValue?) -> Bool {
        guard case .object(let members)? = value else { return false }
        return members.contains { $0.name == "ms_classless_routes" && $0.value == .bool(true) }
    }

    /// A lease time next to an options level (`v4_lease_time` / `v6_lease_time`), 0–4294967295.
    mutating func levelLeaseTime(_ value: JSONValue, at path: String) -> UInt32? {
        integer(value, at: path, in: 0...Int64(UInt32.max)).map { UInt32($0) }
    }

    private mutating func optionPayload(_ v: JSONValue, at path: String, _ kind: OptionKind) -> [UInt8]? {
        switch kind {
        case .domainText:
            guard let s = string(v, at: path), let labels = checked(DomainNameWire.labels(s), at: path) else { return nil }
            return Array(labels.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".").utf8)
        case .domainWire:
            guard let s = string(v, at: path), let labels = checked(DomainNameWire.labels(s), at: path) else { return nil }
            return DomainNameWire.encode([labels], compress: false)
        case .domainList(let compressed):
            let names = optionList(v, at: path) { d, item, p in
                d.string(item, at: p).flatMap { d.checked(DomainNameWire.labels($0), at: p) }
            }
            return names.map { DomainNameWire.encode($0, compress: compressed) }
        case .ipv4List:
            return optionList(v, at: path) { $0.ipv4($1, at: $2) }.map(OptionEncoding.ipv4List)
        case .ipv6List:
            return optionList(v, at: path) { $0.ipv6($1, at: $2) }.map(OptionEncoding.ipv6List)
        case .ntpServers:
            return optionList(v, at: path) { $0.ipv6($1, at: $2) }.map(OptionEncoding.ntpServers)
        case .unsigned(let bytes, let range):
            return integer(v, at: path, in: range).map { OptionEncoding.unsigned(UInt32($0), bytes: bytes) }
        case .signed32:
            return integer(v, at: path, in: Int64(Int32.min)...Int64(Int32.max)).map { OptionEncoding.signed32(Int32($0)) }
        case .classlessRoutes:
            return optionList(v, at: path) { $0.classlessRoute($1, at: $2) }.map(OptionEncoding.classlessRoutes)
        case .text:
            return optionText(v, at: path)
        case .hex:
            guard let bytes = hexValue(v, at: path) else { return nil }
            if bytes.isEmpty { fail(path, "must hold at least one byte"); return nil }
            return bytes
        case .vendorList:
            guard let vendors = optionList(v, at: path, { $0.vendor($1, at: $2, maximum: 255) }) else { return nil }
            if let dup = firstDuplicate(vendors.map(\.enterprise)) {
                fail("\(path)[\(dup.1)].enterprise", "enterprise \(vendors[dup.1].enterprise) is also \(path)[\(dup.0)]")
                return nil
            }
            return OptionEncoding.vendorList(vendors)
        case .vendorOption:
            guard let vendors = optionList(v, at: path, { $0.vendor($1, at: $2, maximum: OptionCatalog.maximumPayload) })
            else { return nil }
            guard vendors.count == 1 else {
                fail(path, "exactly one enterprise per level: a level holds one option 17, and option 17 carries "
                     + "one enterprise number")
                return nil
            }
            return OptionEncoding.vendorOption(enterprise: vendors[0].enterprise, data: vendors[0].data)
        }
    }

    /// A non-empty list of at most ``OptionCatalog/maximumListCount`` elements.
    private mutating func optionList<T>(_ value: JSONValue, at path: String,
                                        _ element: (inout TreeDecoder, JSONValue, String) -> T?) -> [T]? {
        guard let items = list(value, at: path, element) else { return nil }
        if items.isEmpty { fail(path, "must not be empty (leave the key out instead)"); return nil }
        if items.count > OptionCatalog.maximumListCount {
            fail(path, "at most \(OptionCatalog.maximumListCount) entries, got \(items.count)")
            return nil
        }
        return items
    }

    private mutating func checked<T>(_ result: Result<T, OptionValueError>, at path: String) -> T? {
        switch result {
        case .success(let v): return v
        case .failure(let e): fail(path, e.message); return nil
        }
    }

    /// Printable ASCII, 1–255 bytes (TFTP server name, boot file name).
    private mutating func optionText(_ value: JSONValue, at path: String) -> [UInt8]? {
        guard let s = nonEmptyString(value, at: path) else { return nil }
        let bytes = Array(s.utf8)
        guard bytes.count <= 255 else { fail(path, "at most 255 bytes, got \(bytes.count)"); return nil }
        guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            fail(path, "must be printable ASCII (no control characters or non-ASCII), got \(quoted(s))")
            return nil
        }
        return bytes
    }

    mutating func hexValue(_ value: JSONValue, at path: String) -> [UInt8]? {
        guard let s = string(value, at: path) else { return nil }
        switch OptionHex.parse(s) {
        case .success(let bytes): return bytes
        case .failure(let e):
            fail(path, "invalid hex \(quoted(s)): \(e.message); expected pairs of hex digits, optionally separated "
                 + "by ':' (01:04:de:ad:be:ef or 0104deadbeef)")
            return nil
        }
    }

    /// `{"net": "a.b.c.d/len", "router": "a.b.c.d"}`; the net must have no host bits (RFC 3442
    /// sends only its significant octets).
    private mutating func classlessRoute(_ value: JSONValue, at path: String) -> (net: IPv4Network, router: IPv4Address)? {
        guard let f = object(value, at: path, allowed: ["net", "router"]) else { return nil }
        let net = required(f, "net").flatMap {
            parsed($0, at: f.path("net"), "IPv4 network", expected: "a.b.c.d/len with len 0-32", IPv4Network.init)
        }
        let router = required(f, "router").flatMap { ipv4($0, at: f.path("router")) }
        guard let net, let router else { return nil }
        if net.network != net.address {
            fail(f.path("net"), "\(net) has host bits set; write \(net.network)/\(net.prefixLength)")
            return nil
        }
        return (net, router)
    }

    /// `{"enterprise": N, "hex": "..."}` with 1–`maximum` bytes of data.
    private mutating func vendor(_ value: JSONValue, at path: String, maximum: Int) -> (enterprise: UInt32, data: [UInt8])? {
        guard let f = object(value, at: path, allowed: ["enterprise", "hex"]) else { return nil }
        let enterprise = required(f, "enterprise").flatMap { integer($0, at: f.path("enterprise"), in: 0...Int64(UInt32.max)) }
        let data = required(f, "hex").flatMap { hexValue($0, at: f.path("hex")) }
        guard let enterprise, let data else { return nil }
        if data.isEmpty || data.count > maximum {
            fail(f.path("hex"), "must hold 1 to \(maximum) bytes, got \(data.count)")
            return nil
        }
        return (UInt32(enterprise), data)
    }

    /// `custom: [{"code": N, "hex": "..."}]`: codes no key names and the server does not build.
    private mutating func customOptions(_ value: JSONValue, at path: String,
                                        _ family: OptionFamily) -> [DHCPOptionSet.Entry]? {
        let range: ClosedRange<Int64> = family == .v4 ? 1...254 : 1...65535
        let items = optionList(value, at: path) { d, item, p -> DHCPOptionSet.Entry? in
            guard let f = d.object(item, at: p, allowed: ["code", "hex"]) else { return nil }
            let code = d.required(f, "code").flatMap { d.integer($0, at: f.path("code"), in: range) }
            let data = d.required(f, "hex").flatMap { d.hexValue($0, at: f.path("hex")) }
            guard let code, let data else { return nil }
            if let why = OptionCatalog.customRefusal(UInt16(code), family) { d.fail(f.path("code"), why); return nil }
            if data.count > OptionCatalog.maximumPayload {
                d.fail(f.path("hex"), "\(data.count) bytes; one option value holds at most \(OptionCatalog.maximumPayload)")
                return nil
            }
            return DHCPOptionSet.Entry(code: UInt16(code), payload: data)
        }
        guard let items else { return nil }
        if let dup = firstDuplicate(items.map(\.code)) {
            fail("\(path)[\(dup.1)].code", "code \(items[dup.1].code) is also \(path)[\(dup.0)]")
            return nil
        }
        return items
    }

    /// `always_send`: key names of this level and `custom` codes by number.
    private mutating func applyAlwaysSend(_ value: JSONValue, at path: String, _ family: OptionFamily,
                                          to entries: inout [DHCPOptionSet.Entry], invalid: Set<UInt16>,
                                          customInvalid: Bool) {
        guard let items = array(value, at: path) else { return }
        for (i, item) in items.enumerated() {
            let p = "\(path)[\(i)]"
            let code: UInt16
            switch item {
            case .string(let name):
                guard let key = OptionCatalog.key(named: name, family) else {
                    fail(p, "unknown option key \(quoted(name)); expected a key of \(family.levelKey) or a custom code")
                    continue
                }
                guard key.mayAlwaysSend else {
                    fail(p, "\(name) is sent only to a client that asks for it (RFC 8925), never always")
                    continue
                }
                code = key.code
            case .number:
                guard let n = integer(item, at: p, in: 1...65535) else { continue }
                guard OptionCatalog.key(code: UInt16(n), family) == nil else {
                    fail(p, "code \(n) is \(OptionCatalog.key(code: UInt16(n), family)!.name): name the key instead")
                    continue
                }
                code = UInt16(n)
            default:
                fail(p, "expected a key name or a custom code, got \(item.kind.withArticle)")
                continue
            }
            guard let at = entries.firstIndex(where: { $0.code == code }) else {
                if invalid.contains(code) { continue }
                if case .string(let name) = item {
                    fail(p, "\(name) is not set at this level (always_send names keys of its own level)")
                } else if !customInvalid {
                    fail(p, "custom code \(code) is not set at this level (always_send names codes of its own level)")
                }
                continue
            }
            entries[at].alwaysSend = true
        }
    }
}

/// The positions of the first value that occurs twice (first, second), if any.
func firstDuplicate<T: Hashable>(_ values: [T]) -> (Int, Int)? {
    var seen: [T: Int] = [:]
    for (i, v) in values.enumerated() {
        if let first = seen[v] { return (first, i) }
        seen[v] = i
    }
    return nil
}

/// The option settings of `config.json`: top-level `options_v4` / `options_v6` and `subnets_v6`.
extension TreeDecoder {
    mutating func optionSettings(_ f: Fields, into config: inout ServerConfig) {
        let ms = msClasslessRoutes(f["options_v4"])
        config.msClasslessRoutes = ms
        if let v = f["options_v4"], let set = optionLevel(v, at: "options_v4", .v4, .top, msClasslessRoutes: ms) {
            config.optionsV4 = set
        }
        if let v = f["options_v6"], let set = optionLevel(v, at: "options_v6", .v6, .top, msClasslessRoutes: false) {
            config.optionsV6 = set
        }
        if let v = f["subnets_v6"], let subnets = list(v, at: "subnets_v6", { $0.subnetV6($1, at: $2) }) {
            config.subnetsV6 = subnets
        }
    }

    /// `{"link": "2001:db8:1::/64", "options_v6": {...}, "v6_lease_time": N, "relays": [...]}`.
    mutating func subnetV6(_ value: JSONValue, at path: String) -> SubnetV6? {
        guard let f = object(value, at: path, allowed: ConfigField.subnetV6) else { return nil }
        let before = errors.count
        let link = required(f, "link").flatMap { ipv6Network($0, at: f.path("link")) }
        var options = f["options_v6"].flatMap {
            optionLevel($0, at: f.path("options_v6"), .v6, .subnet, msClasslessRoutes: false)
        } ?? .empty
        options.leaseTime = f["v6_lease_time"].flatMap { levelLeaseTime($0, at: f.path("v6_lease_time")) }
        let relays = f["relays"].flatMap { list($0, at: f.path("relays")) { $0.ipv6Network($1, at: $2) } } ?? []
        guard let link, errors.count == before else { return nil }
        return SubnetV6(link: link, options: options, relays: relays)
    }

    /// An IPv6 prefix without host bits.
    mutating func ipv6Network(_ value: JSONValue, at path: String) -> IPv6Prefix? {
        network(value, at: path, "IPv6 prefix", "addr/len with len 0-128, such as 2001:db8:1::/64", IPv6Prefix.init) {
            $0.hasHostBits ? "\($0.masked)" : nil
        }
    }

    /// A network parsed by `parse`; `masked` names the network without host bits when it has some.
    mutating func network<T>(_ value: JSONValue, at path: String, _ what: String, _ format: String,
                             _ parse: (String) -> T?, masked: (T) -> String?) -> T? {
        guard let n = parsed(value, at: path, what, expected: format, parse) else { return nil }
        if let m = masked(n) {
            fail(path, "\(n) has host bits set; write \(m)")
            return nil
        }
        return n
    }
}
