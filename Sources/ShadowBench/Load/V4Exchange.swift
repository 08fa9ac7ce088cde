import DHCPWireKit
import ShadowCore

/// DORA for subscriber `i` of a ``BenchPlan``: DISCOVER (option 50 = the reserved address), then a
/// SELECTING REQUEST for the offered address naming the OFFER's option 54. With an Option 82
/// keyed plan both carry the subscriber's circuit (``BenchPlan/circuitID(_:)``).
public struct V4Exchange: ExchangeProtocol {
    public let plan: BenchPlan
    public let writer: V4RequestWriter
    /// Option 54 used when an OFFER has none (the floor responder adds no option).
    public let fallbackServer: IPv4Address

    public init(plan: BenchPlan, relay: V4Relay, fallbackServer: IPv4Address) {
        self.plan = plan
        writer = V4RequestWriter(relay: relay)
        self.fallbackServer = fallbackServer
    }

    public var xidMask: UInt32 { 0xFFFF_FFFF }

    public func writeFirst(xid: UInt32, subscriber: Int, into out: UnsafeMutableRawBufferPointer) -> Int {
        switch plan.keying {
        case .mac:
            writer.discover(mac: plan.mac(subscriber), xid: xid, requested: plan.ipv4(subscriber), into: out)
        case .option82:
            plan.withCircuitID(subscriber) {
                writer.discover(mac: plan.mac(subscriber), xid: xid, requested: plan.ipv4(subscriber), circuitID: $0, into: out)
            }
        }
    }

    public func decode(_ datagram: UnsafeRawBufferPointer) -> V4ReplySummary? { V4ReplySummary(datagram) }

    public func xid(of reply: V4ReplySummary) -> UInt32 { reply.xid }

    public func step(of reply: V4ReplySummary) -> ReplyStep {
        switch reply.messageType {
        case 2: .first
        case 5: .second
        case 6: .refused
        default: .other
        }
    }

    public func verify(_ reply: V4ReplySummary, subscriber: Int) -> Verification {
        if reply.yiaddr == .any { return .unverifiable }
        return reply.yiaddr == plan.ipv4(subscriber) ? .correct : .wrong
    }

    public func writeSecond(xid: UInt32, subscriber: Int, reply: V4ReplySummary, datagram: UnsafeRawBufferPointer,
                            into out: UnsafeMutableRawBufferPointer) -> Int {
        let offered = reply.yiaddr == .any ? plan.ipv4(subscriber) : reply.yiaddr
        let server = reply.serverIdentifier ?? fallbackServer
        switch plan.keying {
        case .mac:
            return writer.request(mac: plan.mac(subscriber), xid: xid, requested: offered, server: server, into: out)
        case .option82:
            return plan.withCircuitID(subscriber) {
                writer.request(mac: plan.mac(subscriber), xid: xid, requested: offered, server: server, circuitID: $0, into: out)
            }
        }
    }
}
