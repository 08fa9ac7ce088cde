import DHCPWireKit
import ShadowCore

/// SARR for subscriber `i` of a ``BenchPlan``: Solicit (IA_NA + IA_PD, DUID-LL of its MAC), then a
/// Request naming the Advertise's Server Identifier and asking for what it advertised.
public struct V6Exchange: ExchangeProtocol {
    public let plan: BenchPlan
    public let writer: V6RequestWriter

    public init(plan: BenchPlan, relay: V6Relay) {
        self.plan = plan
        writer = V6RequestWriter(relay: relay)
    }

    public var xidMask: UInt32 { 0xFF_FFFF }

    func client(_ i: Int) -> V6Client { V6Client(duid: nil, mac: plan.mac(i)) }

    public func writeFirst(xid: UInt32, subscriber: Int, into out: UnsafeMutableRawBufferPointer) -> Int {
        writer.solicit(client(subscriber), xid: xid, into: out)
    }

    public func decode(_ datagram: UnsafeRawBufferPointer) -> V6ReplySummary? { V6ReplySummary(datagram) }

    public func xid(of reply: V6ReplySummary) -> UInt32 { reply.xid }

    public func step(of reply: V6ReplySummary) -> ReplyStep {
        switch reply.messageType {
        case 2: .first
        case 7: .second
        default: .other
        }
    }

    public func verify(_ reply: V6ReplySummary, subscriber: Int) -> Verification {
        if reply.address == nil && reply.prefix == nil { return .unverifiable }
        if let a = reply.address, a != plan.ipv6NA(subscriber) { return .wrong }
        if let p = reply.prefix, p.masked != plan.ipv6PD(subscriber).masked { return .wrong }
        return .correct
    }

    public func writeSecond(xid: UInt32, subscriber: Int, reply: V6ReplySummary, datagram: UnsafeRawBufferPointer,
                            into out: UnsafeMutableRawBufferPointer) -> Int {
        let c = client(subscriber)
        if let id = reply.serverID {
            return writer.request(c, xid: xid, serverID: UnsafeRawBufferPointer(rebasing: datagram[id]),
                                  address: reply.address, prefix: reply.prefix, into: out)
        }
        return BenchPlan.serverDUID.withUnsafeBytes {
            writer.request(c, xid: xid, serverID: $0, address: reply.address, prefix: reply.prefix, into: out)
        }
    }
}
