import Crypto
import ShadowCore

/// Hashing and comparing management tokens. Only the SHA-256 of a token is ever stored
/// (`tokens.json`); a presented token is hashed and compared with every entry in constant time.
public enum TokenDigest {
    /// Shortest and longest token accepted in a request (``newToken()`` makes 64 characters).
    public static let lengthRange = 16...256

    /// The SHA-256 of the token's UTF-8 bytes.
    public static func sha256(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(token.utf8)))
    }

    /// Lower-case hex of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// True when `a` and `b` are equal. Takes the same time whatever the contents (every byte is
    /// compared, no early exit); only the lengths, which are public (32), may differ in timing.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// The entry whose hash is the token's, comparing with every entry (no early exit).
    public static func match(_ token: String, in table: TokenTable) -> TokenTable.Entry? {
        let digest = sha256(token)
        var found: TokenTable.Entry?
        for entry in table.entries where constantTimeEqual(entry.sha256, digest) && found == nil {
            found = entry
        }
        return found
    }

    /// A new token: 32 bytes from the system CSPRNG (getrandom(2)), as 64 hex digits.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The `tokens.json` entry for `token`, as one JSON object.
    public static func entryJSON(name: String, role: ManagementRole, token: String) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("name", name)
        w.field("role", role.rawValue)
        w.field("sha256", hex(sha256(token)))
        w.endObject()
        return w.text
    }
}
