/// A 48-bit Ethernet address, stored in the low 48 bits of an integer so it hashes cheaply.
public struct MACAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var value: UInt64

    @inlinable public init(value: UInt64) { self.value = value & 0xFFFF_FFFF_FFFF }

    /// Reads six bytes in wire order.
    @inlinable public init<C: Collection>(bytes: C) where C.Element == UInt8 {
        precondition(bytes.count == 6, "MAC address needs 6 bytes")
        var v: UInt64 = 0
        for b in bytes { v = v << 8 | UInt64(b) }
        value = v
    }

    /// Byte `i` (0–5) in wire order.
    @inlinable public subscript(byte i: Int) -> UInt8 { UInt8(truncatingIfNeeded: value >> (40 - 8 * UInt64(i))) }

    public var bytes: [UInt8] { (0..<6).map { self[byte: $0] } }

    /// Parses the forms operators write (case-insensitive hex, no surrounding whitespace):
    /// `001122334455`, `0x001122334455`, `00-11-22-33-44-55`, `00:11:22:33:44:55`, `0011.2233.4455`.
    public init?(_ text: Substring) {
        let u = Array(text.utf8)
        var hex: [UInt8]
        switch u.count {
        case 12:
            hex = u
        case 14 where u[0] == UInt8(ascii: "0") && u[1] == UInt8(ascii: "x"):
            hex = Array(u[2...])
        case 14:
            guard u[4] == UInt8(ascii: "."), u[9] == UInt8(ascii: ".") else { return nil }
            hex = Array(u[0..<4] + u[5..<9] + u[10..<14])
        case 17:
            let sep = u[2]
            guard sep == UInt8(ascii: "-") || sep == UInt8(ascii: ":") else { return nil }
            hex = []
            for i in 0..<6 {
                if i > 0 && u[i * 3 - 1] != sep { return nil }
                hex.append(u[i * 3]); hex.append(u[i * 3 + 1])
            }
        default:
            return nil
        }
        var v: UInt64 = 0
        for b in hex {
            guard let d = hexValue(b) else { return nil }
            v = v << 4 | UInt64(d)
        }
        value = v
    }

    public init?(_ text: String) { self.init(Substring(text)) }

    /// Canonical form: upper case, dash-separated (`AA-BB-CC-DD-EE-FF`).
    public var description: String {
        var out = ""
        out.reserveCapacity(17)
        for i in 0..<6 {
            if i > 0 { out.append("-") }
            let b = self[byte: i]
            out.append(upperHex[Int(b >> 4)])
            out.append(upperHex[Int(b & 0xF)])
        }
        return out
    }

    public static func < (lhs: MACAddress, rhs: MACAddress) -> Bool { lhs.value < rhs.value }
}

private let upperHex: [Character] = Array("0123456789ABCDEF")
let lowerHex: [Character] = Array("0123456789abcdef")
