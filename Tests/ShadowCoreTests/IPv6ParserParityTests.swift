import DHCPWireKit
import Testing
@testable import ShadowCore

/// The byte-level IPv6 parser accepts and rejects exactly what the earlier String-based one did:
/// that parser is kept here as the reference and both run over edge cases and generated strings.
@Suite("IPv6 parser parity")
struct IPv6ParserParityTests {
    @Test(arguments: [
        "::", "::1", "1::", "::::", "1:::2", ":1::", "1::2:", ":::1", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8::", "1::2:3:4:5:6:7:8", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "1:2:3:4:5:6:1.2.3.4",
        "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:1", "::01.2.3.4", "::1.2.3.256", "1:2:3:4:5:6:7:8 ",
        " ::1", "0000:0000:0000:0000:0000:0000:0000:0000", "::ffff:1.2.3.4", "1::1.2.3.4", "1.2.3.4",
        "::1.2.3.4.5", "::1..2.3", "1:2:3:4:5::1.2.3.4", "1:2:3:4:5:6::1.2.3.4", "00000::", "abcd:ef01::",
        "ABCD::EF01", "::g", "::-1", "::+1", "1::2:3:4:5:6:7", "1:2::3:4:5:6:7", "é::1", "::ffff:1.2.3.4%0",
        "1111:2222:3333:4444:5555:6666:7777:8888", "1111:2222:3333:4444:5555:6666:255.255.255.255",
        "1111:2222:3333:4444:5555:6666:7777:88889",
    ])
    func edgeCases(_ text: String) {
        #expect(IPv6Address(text) == ReferenceIPv6.parse(Substring(text)), "\(text)")
    }

    @Test("generated strings: same verdict and value")
    func generated() {
        var rng = SeededGenerator(seed: 0x5EED)
        let alphabet = Array("0123456789abcdefABCDEF:.::g%")
        let valid = ["2001:db8::1", "::ffff:192.0.2.1", "fe80::a55:31ff:fe8f:1998", "1:2:3:4:5:6:7:8", "64:ff9b::192.0.2.33"]
        for _ in 0..<20_000 {
            var text: String
            if rng.next() % 2 == 0 {
                let length = Int(rng.next() % 47)
                text = String((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            } else {
                var chars = Array(valid[Int(rng.next() % UInt64(valid.count))])
                for _ in 0..<(1 + rng.next() % 3) {
                    let at = Int(rng.next() % UInt64(chars.count + 1))
                    switch rng.next() % 3 {
                    case 0 where at < chars.count: chars.remove(at: at)
                    case 1: chars.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                    default: if at < chars.count { chars[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))] }
                    }
                }
                text = String(chars)
            }
            let ours = IPv6Address(text)
            let reference = ReferenceIPv6.parse(Substring(text))
            if ours != reference { Issue.record("\"\(text)\": \(String(describing: ours)) vs \(String(describing: reference))") }
        }
    }
}

/// The String-based parser ShadowCore used before the byte-level one (kept verbatim as reference).
enum ReferenceIPv6 {
    static func parse(_ text: Substring) -> IPv6Address? {
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        if let range = text.firstRange(of: "::") {
            sawDoubleColon = true
            let before = text[..<range.lowerBound]
            let after = text[range.upperBound...]
            if after.contains("::") { return nil }
            guard let h = parseGroups(before, allowIPv4: false),
                  let t = parseGroups(after, allowIPv4: true) else { return nil }
            head = h; tail = t
            if head.count + tail.count > 7 { return nil }
        } else {
            guard let all = parseGroups(text, allowIPv4: true), all.count == 8 else { return nil }
            head = all
        }
        var groups = head
        if sawDoubleColon {
            groups += [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        return IPv6Address(groups: groups)
    }

    static func parseGroups(_ text: Substring, allowIPv4: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
        var out: [UInt16] = []
        for (i, piece) in pieces.enumerated() {
            if piece.contains(".") {
                guard allowIPv4, i == pieces.count - 1, let v4 = IPv4Address(piece) else { return nil }
                out.append(UInt16(truncatingIfNeeded: v4.value >> 16))
                out.append(UInt16(truncatingIfNeeded: v4.value))
                continue
            }
            guard (1...4).contains(piece.utf8.count), let v = UInt16(piece, radix: 16),
                  piece.utf8.allSatisfy({ isHexDigit($0) }) else { return nil }
            out.append(v)
        }
        return out.count <= 8 ? out : nil
    }
}
