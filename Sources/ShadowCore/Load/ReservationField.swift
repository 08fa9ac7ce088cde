/// The fields of a reservation object, in the order they are documented and persisted.
enum ReservationField: UInt8, CaseIterable {
    case ipv4, ipv6NA, ipv6PD, mac, duid, option82, option1837, v4LeaseTime, optionsV4, v6LeaseTime, optionsV6

    init?(name: String) {
        switch name {
        case "ipv4": self = .ipv4
        case "ipv6_na": self = .ipv6NA
        case "ipv6_pd": self = .ipv6PD
        case "mac": self = .mac
        case "duid": self = .duid
        case "option82": self = .option82
        case "option1837": self = .option1837
        case "v4_lease_time": self = .v4LeaseTime
        case "options_v4": self = .optionsV4
        case "v6_lease_time": self = .v6LeaseTime
        case "options_v6": self = .optionsV6
        default: return nil
        }
    }

    /// Matches a field name without building a `String` when it came as raw bytes.
    init?(token: JSONStringToken) {
        guard case .raw(let b) = token else { self.init(name: token.string); return }
        guard let f = ReservationField.byLength(b) else { return nil }
        self = f
    }

    private static func byLength(_ b: UnsafeRawBufferPointer) -> ReservationField? {
        func equals(_ s: StaticString) -> Bool {
            s.utf8CodeUnitCount == b.count && memcmpEqual(s, b)
        }
        switch b.count {
        case 3: return equals("mac") ? .mac : nil
        case 4: return equals("ipv4") ? .ipv4 : equals("duid") ? .duid : nil
        case 7: return equals("ipv6_na") ? .ipv6NA : equals("ipv6_pd") ? .ipv6PD : nil
        case 8: return equals("option82") ? .option82 : nil
        case 10: return equals("option1837") ? .option1837 : equals("options_v4") ? .optionsV4
            : equals("options_v6") ? .optionsV6 : nil
        case 13: return equals("v4_lease_time") ? .v4LeaseTime : equals("v6_lease_time") ? .v6LeaseTime : nil
        default: return nil
        }
    }

    var name: String {
        switch self {
        case .ipv4: "ipv4"
        case .ipv6NA: "ipv6_na"
        case .ipv6PD: "ipv6_pd"
        case .mac: "mac"
        case .duid: "duid"
        case .option82: "option82"
        case .option1837: "option1837"
        case .v4LeaseTime: "v4_lease_time"
        case .optionsV4: "options_v4"
        case .v6LeaseTime: "v6_lease_time"
        case .optionsV6: "options_v6"
        }
    }

    /// This field's bit in a ``FieldSet``.
    var bit: UInt16 { 1 << rawValue }

    static let allowedList = allCases.map(\.name).joined(separator: ", ")
    static let required: [ReservationField] = [.ipv4, .ipv6NA, .ipv6PD]
    static let keys: [ReservationField] = [.mac, .duid, .option82, .option1837]
    static let keyList = keys.map(\.name).joined(separator: ", ")
    static let option82Members = ["circuit", "remote", "subscriber"]
    static let option1837Members = ["interface", "remote", "enterprise_number"]
}

/// A set of ``ReservationField``s as a bit mask.
struct FieldSet {
    var bits: UInt16 = 0
    static let all = FieldSet(bits: UInt16.max)
    /// ``ReservationField/required`` and ``ReservationField/keys`` as sets.
    static let required = FieldSet(bits: ReservationField.ipv4.bit | ReservationField.ipv6NA.bit | ReservationField.ipv6PD.bit)
    static let keys = FieldSet(bits: ReservationField.mac.bit | ReservationField.duid.bit | ReservationField.option82.bit
                                  | ReservationField.option1837.bit)
    func contains(_ f: ReservationField) -> Bool { bits & f.bit != 0 }
    mutating func insert(_ f: ReservationField) { bits |= f.bit }
    var isEmpty: Bool { bits == 0 }
}

/// Whether the bytes of `s` equal `b` (same length assumed).
@inline(__always)
func memcmpEqual(_ s: StaticString, _ b: UnsafeRawBufferPointer) -> Bool {
    let p = s.utf8Start
    for i in 0..<b.count where p[i] != b[i] { return false }
    return true
}
