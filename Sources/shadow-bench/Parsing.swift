import ArgumentParser
import ShadowCore

/// Turns option text into model values, failing with a message that names the option.
enum Parse {
    static func ipv4(_ text: String, _ option: String) throws -> IPv4Address {
        guard let a = IPv4Address(text) else { throw ValidationError("\(option): invalid IPv4 address \"\(text)\"") }
        return a
    }

    static func ipv6(_ text: String, _ option: String) throws -> IPv6Address {
        guard let a = IPv6Address(text) else { throw ValidationError("\(option): invalid IPv6 address \"\(text)\"") }
        return a
    }

    static func mac(_ text: String) throws -> MACAddress {
        guard let m = MACAddress(text) else { throw ValidationError("--mac: invalid MAC address \"\(text)\"") }
        return m
    }

    static func duid(_ text: String) throws -> [UInt8] {
        guard let d = DUID(text) else { throw ValidationError("--duid: invalid DUID \"\(text)\"") }
        return d.bytes
    }

    /// `enterprise:text`, e.g. `4874:sub-13`.
    static func remoteID(_ text: String) throws -> (enterprise: UInt32, text: String) {
        guard let colon = text.firstIndex(of: ":"), let en = UInt32(text[..<colon]) else {
            throw ValidationError("--remote-id: expected ENTERPRISE:TEXT, got \"\(text)\"")
        }
        return (en, String(text[text.index(after: colon)...]))
    }
}
