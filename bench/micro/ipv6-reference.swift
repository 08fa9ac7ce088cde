import ShadowCore
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
                  piece.utf8.allSatisfy({ refHex($0) }) else { return nil }
            out.append(v)
        }
        return out.count <= 8 ? out : nil
    }
}
func refHex(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102) }
