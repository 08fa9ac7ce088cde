/// The `hex` values of `options_v4` / `options_v6` (`vendor_specific`, `vendor_identifying`,
/// `vendor_opts`, `custom`): pairs of hex digits, optionally separated by `:`
/// (`01:04:de:ad:be:ef` or `0104deadbeef`).
enum OptionHex {
    /// The bytes of `text`, or why it is not hex.
    static func parse(_ text: String) -> Result<[UInt8], OptionValueError> {
        let digits = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            if i > 0 && digits[i] == UInt8(ascii: ":") {
                i += 1
                guard i < digits.count else { return .failure(.init("ends with ':'")) }
            }
            guard i + 1 < digits.count, let hi = hexValue(digits[i]), let lo = hexValue(digits[i + 1]) else {
                if i + 1 >= digits.count || digits[i + 1] == UInt8(ascii: ":") {
                    return .failure(.init("odd number of hex digits (each byte is two digits)"))
                }
                return .failure(.init("not a hex digit at position \(i + 1)"))
            }
            out.append(hi << 4 | lo)
            i += 2
        }
        return .success(out)
    }

    /// `bytes` as lower-case hex digits without separators.
    static func text(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Why one option value was refused: the rule, for the message after the path.
struct OptionValueError: Error, Hashable, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}
