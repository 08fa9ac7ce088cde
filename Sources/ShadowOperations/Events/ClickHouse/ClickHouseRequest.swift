import NIOHTTP1
import ShadowCore

/// The HTTP request of one insert (behavior.md §9.3): `POST <path>/?database=<db>&
/// input_format_skip_unknown_fields=1&query=INSERT INTO <table> FORMAT JSONEachRow` (percent-
/// encoded), Basic authentication, an `application/x-ndjson` body of one row per line.
public enum ClickHouseRequest {
    /// The request target (path and query) for an insert into `table`.
    public static func target(path: String, database: String, table: ClickHouseTable) -> String {
        "\(path)/?database=\(percentEncoded(database))&input_format_skip_unknown_fields=1&query="
            + percentEncoded("INSERT INTO \(table.rawValue) FORMAT JSONEachRow")
    }

    /// The request head for `target` with a body of `length` bytes.
    public static func head(url: ClickHouseURL, target: String, user: String, password: String,
                            length: Int) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target)
        let defaultPort: UInt16 = url.scheme == .https ? 443 : 80
        head.headers.add(name: "Host", value: url.port == defaultPort ? url.hostText : "\(url.hostText):\(url.port)")
        head.headers.add(name: "Authorization", value: basicAuthorization(user: user, password: password))
        head.headers.add(name: "Content-Type", value: "application/x-ndjson")
        head.headers.add(name: "Content-Length", value: String(length))
        head.headers.add(name: "Connection", value: "close")
        return head
    }

    /// `Basic base64(user:password)` (RFC 7617).
    public static func basicAuthorization(user: String, password: String) -> String {
        "Basic " + base64(Array("\(user):\(password)".utf8))
    }

    /// RFC 3986 percent-encoding: everything but the unreserved characters.
    public static func percentEncoded(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }

    /// RFC 4648 base64 with padding.
    public static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var chunk = UInt32(bytes[i]) << 16
            if n > 1 { chunk |= UInt32(bytes[i + 1]) << 8 }
            if n > 2 { chunk |= UInt32(bytes[i + 2]) }
            for k in 0..<4 {
                out.append(k <= n ? alphabet[Int((chunk >> UInt32(18 - 6 * k)) & 0x3F)] : UInt8(ascii: "="))
            }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// What an answer means for the rows it carried.
    public enum Outcome: Equatable, Sendable {
        /// 2xx: stored.
        case delivered
        /// 408, 429, 5xx (or no answer at all): kept and retried.
        case transient
        /// Any other status: ClickHouse will never take these rows; dropped with a warning.
        case permanent
    }

    public static func outcome(status: Int) -> Outcome {
        switch status {
        case 200..<300: .delivered
        case 408, 429, 500..<600: .transient
        default: .permanent
        }
    }
}
