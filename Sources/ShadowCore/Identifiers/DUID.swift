/// A DHCP Unique Identifier (RFC 8415 §11): opaque bytes compared for exact equality.
public struct DUID: Hashable, Sendable, CustomStringConvertible {
    /// The longest DUID accepted, in bytes (RFC 8415 §11.1).
    public static let maximumLength = 130

    public var bytes: [UInt8]

    @inlinable public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Why a DUID string was refused.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case invalidFormat
        case tooLong

        public var description: String {
            switch self {
            case .invalidFormat: "Invalid DUID format"
            case .tooLong: "DUID exceeds maximum length of 130 bytes"
            }
        }
    }

    /// Parses hex groups separated by `:` or `-` (the character at index 2 chooses), after trimming
    /// surrounding whitespace. Each group is 1–2 hex digits (a leading zero pad is tolerated, as
    /// upstream does: `0a` and `00a` both mean 0x0a).
    public static func parse(_ text: String) -> Result<DUID, ParseError> {
        let trimmed = text.trimmingWhitespace()
        let u = Array(trimmed.utf8)
        guard u.count >= 3 else { return .failure(.invalidFormat) }
        let sep = u[2]
        guard sep == UInt8(ascii: ":") || sep == UInt8(ascii: "-") else { return .failure(.invalidFormat) }
        var out: [UInt8] = []
        for piece in u.split(separator: sep, omittingEmptySubsequences: false) {
            guard !piece.isEmpty else { return .failure(.invalidFormat) }
            var v: UInt32 = 0
            for b in piece {
                guard let d = hexValue(b) else { return .failure(.invalidFormat) }
                v = v << 4 | UInt32(d)
                if v > 0xFF { return .failure(.invalidFormat) }
            }
            out.append(UInt8(v))
        }
        if out.count > maximumLength { return .failure(.tooLong) }
        return .success(DUID(bytes: out))
    }

    public init?(_ text: String) {
        guard case .success(let d) = DUID.parse(text) else { return nil }
        self = d
    }

    /// Lower-case hex pairs joined by `:`.
    public var description: String { DUID.format(bytes) }

    /// Lower-case hex pairs joined by `:` for any byte sequence.
    public static func format<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out = ""
        out.reserveCapacity(bytes.count * 3)
        for (i, b) in bytes.enumerated() {
            if i > 0 { out.append(":") }
            out.append(lowerHex[Int(b >> 4)])
            out.append(lowerHex[Int(b & 0xF)])
        }
        return out
    }
}

extension String {
    /// The string without leading and trailing Unicode white space.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
