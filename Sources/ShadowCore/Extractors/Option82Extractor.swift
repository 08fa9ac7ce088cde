/// The seven ways to turn a wire Option 82 into a reservation key (docs/configuration.md).
public enum Option82Extractor: String, CaseIterable, Sendable, Hashable {
    case remoteOnly = "remote_only"
    case remoteOnlyTrim = "remote_only_trim"
    case circuitOnly = "circuit_only"
    case circuitAndRemote = "circuit_and_remote"
    case subscriberOnly = "subscriber_only"
    case remoteFirst12 = "remote_first_12"
    case normalizeRemoteMAC = "normalize_remote_mac"

    public var name: String { rawValue }

    /// The lookup key this extractor derives from `wire`, or nil when it produces nothing.
    public func extract(_ wire: Option82) -> Option82? {
        switch self {
        case .remoteOnly:
            return wire.remote.map { Option82(remote: $0) }
        case .remoteOnlyTrim:
            return wire.remote.map { Option82(remote: Option82Extractor.trimRemote($0)) }
        case .circuitOnly:
            return wire.circuit.map { Option82(circuit: $0) }
        case .circuitAndRemote:
            guard let c = wire.circuit, let r = wire.remote else { return nil }
            return Option82(circuit: c, remote: r)
        case .subscriberOnly:
            return wire.subscriber.map { Option82(subscriber: $0) }
        case .remoteFirst12:
            guard let r = wire.remote else { return nil }
            let first = r.utf8.prefix(12)
            guard first.count == 12, first.allSatisfy(isHexDigit),
                  let mac = MACAddress(Substring(r.utf8.prefix(12))) else { return nil }
            return Option82(remote: mac.description)
        case .normalizeRemoteMAC:
            guard let r = wire.remote, let mac = MACAddress(r) else { return nil }
            return Option82(remote: mac.description)
        }
    }

    /// Leading white space removed; any mix of trailing white space and NUL characters removed.
    static func trimRemote(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        guard let last = scalars.lastIndex(where: { !$0.properties.isWhitespace && $0 != "\0" }),
              last >= first else { return "" }
        return String(scalars[first...last])
    }
}

/// The five ways to turn Option 18/37 into a reservation key (docs/configuration.md).
public enum Option1837Extractor: String, CaseIterable, Sendable, Hashable {
    case interfaceOnly = "interface_only"
    case remoteOnly = "remote_only"
    case interfaceAndRemote = "interface_and_remote"
    case remoteWithEnterprise = "remote_with_enterprise"
    case allFields = "all_fields"

    public var name: String { rawValue }

    public func extract(_ wire: Option1837) -> Option1837? {
        switch self {
        case .interfaceOnly:
            return wire.interface.map { Option1837(interface: $0) }
        case .remoteOnly:
            return wire.remote.map { Option1837(remote: $0) }
        case .interfaceAndRemote:
            guard let i = wire.interface, let r = wire.remote else { return nil }
            return Option1837(interface: i, remote: r)
        case .remoteWithEnterprise:
            guard let r = wire.remote, let e = wire.enterpriseNumber else { return nil }
            return Option1837(remote: r, enterpriseNumber: e)
        case .allFields:
            return wire
        }
    }
}
