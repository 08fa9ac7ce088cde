/// An IPv4 address, stored as a host-order 32-bit integer.
public struct IPv4Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var value: UInt32

    public static let any = IPv4Address(0)

    @inlinable public init(_ value: UInt32) { self.value = value }

    @inlinable public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Reads four bytes in network order.
    @inlinable public init<C: Collection>(networkBytes bytes: C) where C.Element == UInt8 {
        precondition(bytes.count == 4, "IPv4 address needs 4 bytes")
        var v: UInt32 = 0
        for b in bytes { v = v << 8 | UInt32(b) }
        value = v
    }

    /// Parses a dotted quad. Octets are decimal, 0–255, without leading zeros (`01` is rejected).
    public init?(_ text: Substring) {
        guard let v = IPv4Address.parseDottedQuad(text.utf8) else { return nil }
        value = v
    }

    /// The dotted-quad rules of ``init(_:)-(Substring)`` over bytes (shared with the IPv6 parser's
    /// IPv4 tail).
    static func parseDottedQuad<C: Collection>(_ bytes: C) -> UInt32? where C.Element == UInt8 {
        var octets = 0
        var current: UInt32 = 0
        var digits = 0
        var result: UInt32 = 0
        var leadingZero = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if leadingZero { return nil }
                if digits == 0 && byte == UInt8(ascii: "0") { leadingZero = true }
                current = current * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                if digits > 3 || current > 255 { return nil }
            case UInt8(ascii: "."):
                if digits == 0 || octets == 3 { return nil }
                result = result << 8 | current
                octets += 1; current = 0; digits = 0; leadingZero = false
            default:
                return nil
            }
        }
        if digits == 0 || octets != 3 { return nil }
        return result << 8 | current
    }

    public init?(_ text: String) { self.init(Substring(text)) }

    /// The four bytes in network order.
    public var bytes: (UInt8, UInt8, UInt8, UInt8) {
        (UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value))
    }

    public var isLoopback: Bool { value >> 24 == 127 }

    public var description: String {
        let b = bytes
        return "\(b.0).\(b.1).\(b.2).\(b.3)"
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}

/// An IPv4 network in CIDR form. Host bits are kept as written; containment uses the masked network.
public struct IPv4Network: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv4Address
    public var prefixLength: UInt8

    public init(address: IPv4Address, prefixLength: UInt8) {
        precondition(prefixLength <= 32)
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `a.b.c.d/len`; the slash is mandatory and `len` is 0–32.
    public init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/"),
              let addr = IPv4Address(text[..<slash]),
              let len = parsePrefixLength(text[text.index(after: slash)...], max: 32)
        else { return nil }
        self.init(address: addr, prefixLength: len)
    }

    @inlinable public var mask: IPv4Address { IPv4Network.mask(prefixLength: prefixLength) }
    @inlinable public var network: IPv4Address { IPv4Address(address.value & mask.value) }

    @inlinable public func contains(_ a: IPv4Address) -> Bool { a.value & mask.value == network.value }

    @inlinable public static func mask(prefixLength: UInt8) -> IPv4Address {
        prefixLength == 0 ? IPv4Address(0) : IPv4Address(UInt32.max << (32 - UInt32(prefixLength)))
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

/// Parses a decimal prefix length without sign or leading zeros (except `0` itself).
func parsePrefixLength(_ text: Substring, max: Int) -> UInt8? {
    guard !text.isEmpty, text.count <= 3, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
    if text.count > 1 && text.first == "0" { return nil }
    guard let n = Int(text), n <= max else { return nil }
    return UInt8(n)
}
