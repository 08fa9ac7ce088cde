import ShadowCore

/// The one log line per transaction of behavior.md §10: message and structured fields.
public struct DHCPv6LogLine: Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        public var key: String
        public var value: String
    }

    /// Info for the three narrative lines (and other replies sent); debug otherwise.
    public var isInfo: Bool
    public var message: String
    public var fields: [Field]
}

extension DHCPv6Outcome {
    /// Whether ``logLine()`` is an info line (else debug), known without building it: a caller
    /// whose threshold is above debug skips the debug lines.
    public var logLineIsInfo: Bool {
        switch action {
        case .reply: true
        case .noReply(let reason): reason == .noReservation
        }
    }

    /// Builds the transaction's log line (only call it when it will be logged: it allocates).
    public func logLine() -> DHCPv6LogLine {
        let e = event
        let relay = "[\(e.relayAddress)]:\(sourcePort)"
        func f(_ k: String, _ v: String?) -> DHCPv6LogLine.Field { .init(key: k, value: v ?? "") }
        switch action {
        case .reply:
            let type = replyType?.eventName ?? "Reply"
            if let r = e.reservation, e.messageType != DHCPv6MessageType.confirm.rawValue,
               e.messageType != DHCPv6MessageType.release.rawValue,
               e.messageType != DHCPv6MessageType.decline.rawValue {
                return DHCPv6LogLine(isInfo: true, message: "DHCPv6 lease granted", fields: [
                    f("message_type", type), f("mac", e.macAddress?.description), f("duid", e.clientID?.description),
                    f("na", r.ipv6NA.description), f("pd", r.ipv6PD.description),
                    f("method", e.matchMethod?.rawValue), f("relay", relay), f("xid", e.xidText)])
            }
            if e.messageType == DHCPv6MessageType.renew.rawValue || e.messageType == DHCPv6MessageType.rebind.rawValue {
                return DHCPv6LogLine(
                    isInfo: true, message: "DHCPv6 Reply sent with NoBinding — no reservation for renewing client",
                    fields: [f("mac", e.macAddress?.description), f("duid", e.clientID?.description),
                             f("relay", relay), f("xid", e.xidText)])
            }
            let request = e.messageType.map(DHCPv6MessageType.eventName(ofRawType:)) ?? "Unknown"
            return DHCPv6LogLine(isInfo: true, message: "DHCPv6 \(type) sent for \(request)", fields: [
                f("duid", e.clientID?.description), f("relay", relay), f("xid", e.xidText)])
        case .noReply(let reason) where reason == .noReservation:
            return DHCPv6LogLine(isInfo: true, message: "DHCPv6: no reservation found — not responding", fields: [
                f("duid", e.clientID?.description), f("mac", e.macAddress?.description),
                f("interface_id", e.option1837Interface), f("remote_id", e.option1837Remote),
                f("relay", relay), f("xid", e.xidText)])
        case .noReply(let reason):
            return DHCPv6LogLine(isInfo: false, message: "DHCPv6: not responding", fields: [
                f("reason", reason.rawValue), f("error", decodeError?.description), f("relay", relay),
                f("xid", e.xidText)])
        }
    }
}
