/// The fast path for an entry in its plain shape (docs/performance.md, "The plain entry").
///
/// Nearly every entry of a large file is an object of the address fields, `mac`, `duid` and an
/// `option82` object, each value a plain string that the byte-level parsers of ``FastScalars``
/// accept. Such an entry is read here with ``PlainJSONScanner`` — no `throws`, no token kinds, no
/// `String` but the relay's — into the same ``Draft`` the general reader would fill, and then
/// goes through the same ``check(_:_:)`` and ``append(_:_:)``. Anything else — `null`, a repeated
/// or unknown name, escapes, a value the fast parsers refuse, `ipv6_pd` host bits (a warning),
/// options, `option1837`, a syntax error — makes this path give up before it records anything,
/// and ``parseEntry(_:index:)`` reads the entry from its start, with every message as before.
extension ReservationParser {
    /// Reads the entry at `r` if it is in the plain shape: true, with `r` after its `}`; false,
    /// with `r` and `self` untouched, otherwise.
    mutating func parsePlainEntry(_ r: inout JSONReader, index: Int) -> Bool {
        var s = PlainJSONScanner(r.bytes, at: r.offset)
        guard s.take(UInt8(ascii: "{")) else { return false }
        var d = Draft()
        repeat {
            guard let name = s.plainString(), s.take(UInt8(ascii: ":")),
                  let field = ReservationField(token: .raw(name)), !d.seen.contains(field) else { return false }
            d.seen.insert(field)
            d.given.insert(field)
            switch field {
            case .ipv4:
                guard let v = s.plainString().flatMap(FastScalars.ipv4) else { return false }
                d.ipv4 = v
            case .ipv6NA:
                guard let v = s.plainString().flatMap(FastScalars.ipv6) else { return false }
                d.ipv6NA = v
            case .ipv6PD:
                guard let v = s.plainString().flatMap(FastScalars.ipv6Prefix), !v.hasHostBits else { return false }
                d.ipv6PD = v
            case .mac:
                guard let v = s.plainString().flatMap(FastScalars.mac) else { return false }
                d.mac = v
            case .duid:
                guard let v = s.plainString().flatMap(FastScalars.duid) else { return false }
                d.duid = v
            case .option82:
                guard let v = Self.plainOption82(&s) else { return false }
                d.option82 = v
            case .option1837, .v4LeaseTime, .v6LeaseTime, .optionsV4, .optionsV6:
                return false
            }
        } while s.take(UInt8(ascii: ","))
        guard s.take(UInt8(ascii: "}")) else { return false }
        check(&d, index)
        append(&d, index)
        r.offset = s.offset
        return true
    }

    /// An `option82` object whose members are known, not repeated, and `null` or a non-empty
    /// plain string, at least one of them a string; nil for anything else.
    static func plainOption82(_ s: inout PlainJSONScanner) -> Option82? {
        guard s.take(UInt8(ascii: "{")) else { return nil }
        var value = Option82()
        var seen: UInt8 = 0
        repeat {
            // The three names differ in length: circuit 7, remote 6, subscriber 10.
            guard let name = s.plainString(), s.take(UInt8(ascii: ":")) else { return nil }
            let bit: UInt8
            switch name.count {
            case 7 where memcmpEqual("circuit", name): bit = 1
            case 6 where memcmpEqual("remote", name): bit = 2
            case 10 where memcmpEqual("subscriber", name): bit = 4
            default: return nil
            }
            guard seen & bit == 0 else { return nil }
            seen |= bit
            if s.takeNull() { continue }
            guard let text = s.plainString(), !text.isEmpty else { return nil }
            let string = String(decoding: text, as: UTF8.self)
            switch bit {
            case 1: value.circuit = string
            case 2: value.remote = string
            default: value.subscriber = string
            }
        } while s.take(UInt8(ascii: ","))
        guard s.take(UInt8(ascii: "}")), !value.isEmpty else { return nil }
        return value
    }
}
