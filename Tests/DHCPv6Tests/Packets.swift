import DHCPWireKit
import ShadowCore
@testable import DHCPv6

/// The tests build requests with DHCPWireKit's builder (independent of the engine's encoder) and
/// read replies with its parser.
typealias Packet = DHCPv6Packet

extension DHCPv6Packet {
    /// A client message of `type` (default xid 0x123456).
    static func client(_ type: DHCPv6MessageType, xid: UInt32 = 0x123456, _ options: [UInt8]...) -> [UInt8] {
        client(type: type.rawValue, xid: xid, options)
    }
}
