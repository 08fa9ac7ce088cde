/// Domain names as DHCP options carry them: validated text (`domain_name`, option 15) and the
/// RFC 1035 wire form (`domain_search` — DHCPv4 option 119 with RFC 3397 compression, DHCPv6
/// option 24 without — and `aftr_name`, DHCPv6 option 64).
enum DomainNameWire {
    /// RFC 1035 2.3.4: at most 63 bytes per label, at most 253 bytes of text (255 on the wire).
    static let maximumLabel = 63
    static let maximumName = 253

    /// The labels of `text` (one trailing dot allowed), or which rule it breaks. Labels are
    /// letters, digits, `-` and `_` (service names such as `_sip` occur in search lists), not
    /// starting or ending with `-`.
    static func labels(_ text: String) -> Result<[[UInt8]], OptionValueError> {
        var bytes = Array(text.utf8)
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        guard !bytes.isEmpty else { return .failure(.init("invalid domain name \(quoted(text)): empty")) }
        guard bytes.count <= maximumName else {
            return .failure(.init("invalid domain name \(quoted(text)): \(bytes.count) bytes, at most \(maximumName)"))
        }
        var labels: [[UInt8]] = []
        for label in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !label.isEmpty else {
                return .failure(.init("invalid domain name \(quoted(text)): empty label"))
            }
            guard label.count <= maximumLabel else {
                return .failure(.init("invalid domain name \(quoted(text)): label of \(label.count) bytes, at most \(maximumLabel)"))
            }
            guard label.allSatisfy(isLabelByte), label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else {
                return .failure(.init("invalid domain name \(quoted(text)): labels are letters, digits, '-' and '_', "
                                      + "not starting or ending with '-'"))
            }
            labels.append(Array(label))
        }
        return .success(labels)
    }

    private static func isLabelByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
    }

    /// The names one after the other in RFC 1035 3.1 form (length-prefixed labels, a zero byte).
    /// With `compress` (RFC 3397, option 119) a name's longest suffix already written is replaced
    /// by a pointer (RFC 1035 4.1.4) whose offset counts from the start of the option data.
    static func encode(_ names: [[[UInt8]]], compress: Bool) -> [UInt8] {
        var out: [UInt8] = []
        var suffixes: [[[UInt8]]: Int] = [:]
        for labels in names {
            var pointer: Int?
            var first = labels.count
            if compress {
                for i in labels.indices {
                    if let at = suffixes[Array(labels[i...])] { pointer = at; first = i; break }
                }
            }
            for i in 0..<first {
                if compress && out.count < 0x3FFF { suffixes[Array(labels[i...])] = out.count }
                out.append(UInt8(labels[i].count))
                out.append(contentsOf: labels[i])
            }
            if let pointer {
                out.append(0xC0 | UInt8(pointer >> 8))
                out.append(UInt8(pointer & 0xFF))
            } else {
                out.append(0)
            }
        }
        return out
    }

    /// The names of an option built by ``encode(_:compress:)`` as text (no trailing dot); nil when
    /// the bytes are not such a list. Pointers must point backwards, so decoding ends.
    static func decode(_ bytes: [UInt8]) -> [String]? {
        var names: [String] = []
        var i = 0
        while i < bytes.count {
            guard let (name, next) = name(in: bytes, at: i) else { return nil }
            names.append(name)
            i = next
        }
        return names
    }

    /// The name at `start` and the offset after it (after its pointer, if any).
    private static func name(in bytes: [UInt8], at start: Int) -> (String, Int)? {
        var labels: [String] = []
        var i = start, next: Int?, limit = start
        while true {
            guard i < bytes.count else { return nil }
            let n = Int(bytes[i])
            if n == 0 { break }
            if n & 0xC0 == 0xC0 {
                guard i + 1 < bytes.count else { return nil }
                let target = (n & 0x3F) << 8 | Int(bytes[i + 1])
                if next == nil { next = i + 2 }
                guard target < limit else { return nil }
                limit = target
                i = target
                continue
            }
            guard n <= maximumLabel, i + 1 + n <= bytes.count else { return nil }
            labels.append(String(decoding: bytes[(i + 1)..<(i + 1 + n)], as: UTF8.self))
            i += 1 + n
        }
        guard !labels.isEmpty else { return nil }
        return (labels.joined(separator: "."), next ?? i + 1)
    }
}
