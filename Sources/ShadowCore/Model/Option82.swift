/// A DHCPv4 Relay Agent Information value (RFC 3046) as a lookup key: Agent Circuit ID (sub-option 1),
/// Agent Remote ID (2) and Subscriber ID (6). Two values are equal only when all three fields are,
/// absence included, with byte-exact strings.
public struct Option82: Hashable, Sendable {
    public var circuit: String?
    public var remote: String?
    public var subscriber: String?

    public init(circuit: String? = nil, remote: String? = nil, subscriber: String? = nil) {
        self.circuit = circuit
        self.remote = remote
        self.subscriber = subscriber
    }

    /// Builds the triple from wire sub-option payloads. A payload counts only when it is non-empty
    /// and valid UTF-8; otherwise that field is absent.
    @inlinable public init<C: Collection>(wireCircuit: C?, wireRemote: C?, wireSubscriber: C?) where C.Element == UInt8 {
        circuit = Option82.text(wireCircuit)
        remote = Option82.text(wireRemote)
        subscriber = Option82.text(wireSubscriber)
    }

    public var isEmpty: Bool { circuit == nil && remote == nil && subscriber == nil }

    @usableFromInline static func text<C: Collection>(_ bytes: C?) -> String? where C.Element == UInt8 {
        guard let bytes, !bytes.isEmpty else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// DHCPv6 relay identifiers as a lookup key: Interface-ID (option 18) and Remote-ID (option 37,
/// RFC 4649) with its enterprise number. Equality compares all three fields, absence included.
public struct Option1837: Hashable, Sendable {
    public var interface: String?
    public var remote: String?
    public var enterpriseNumber: UInt32?

    public init(interface: String? = nil, remote: String? = nil, enterpriseNumber: UInt32? = nil) {
        self.interface = interface
        self.remote = remote
        self.enterpriseNumber = enterpriseNumber
    }

    /// Builds the value from the Relay-forward's options 18 and 37 (payloads as on the wire).
    /// Option 18 counts when it is valid UTF-8 (an empty one is `""`); option 37 needs its 4-byte
    /// enterprise number and UTF-8 remote-id bytes, else both of its fields stay absent.
    /// Returns nil when neither `interface` nor `remote` is present.
    @inlinable public init?<C: Collection>(wireInterfaceID: C?, wireRemoteID: C?) where C.Element == UInt8 {
        if let wireInterfaceID {
            interface = String(validating: wireInterfaceID, as: UTF8.self)
        }
        if let wireRemoteID, wireRemoteID.count >= 4 {
            var en: UInt32 = 0
            for b in wireRemoteID.prefix(4) { en = en << 8 | UInt32(b) }
            if let text = String(validating: wireRemoteID.dropFirst(4), as: UTF8.self) {
                remote = text
                enterpriseNumber = en
            }
        }
        if interface == nil && remote == nil { return nil }
    }

    public var isEmpty: Bool { interface == nil && remote == nil && enterpriseNumber == nil }
}
