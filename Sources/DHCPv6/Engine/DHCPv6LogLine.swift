import ShadowCore

/// A log line the caller should emit for a transaction (docs/dhcpv6.md), with structured fields.
public typealias DHCPv6LogLine = TransactionLogLine

extension DHCPv6Outcome {
    /// The level of the most severe line in ``logLines``, known without building them (they
    /// allocate): a caller whose threshold is above it skips them.
    public var mostSevereLogLevel: DHCPv6LogLine.Level {
        switch action {
        case .reply: .info
        case .noReply(let reason):
            switch reason {
            case .noReservation: .info
            case .relayNotAllowedForSubnet: .warn
            default: .debug
            }
        }
    }

    /// The lines to log for this transaction: the one narrative line, info for the replies sent and
    /// `NoReservation`, debug for other silences. A field whose value is unknown (no MAC, no
    /// xid in an unparsable datagram…) is left out, as in DHCPv4's lines.
    /// Computed on demand; the engine itself never logs.
    public var logLines: [DHCPv6LogLine] {
        let e = event
        let relay = "[\(e.relayAddress)]:\(sourcePort)"
        let xid = e.transactionID == nil ? nil : e.xidText
        func line(_ level: DHCPv6LogLine.Level, _ message: String, _ fields: [(String, String?)]) -> [DHCPv6LogLine] {
            [DHCPv6LogLine(level, message, fields)]
        }
        switch action {
        case .reply:
            let type = replyType?.eventName ?? "Reply"
            if let r = e.reservation, e.messageType != DHCPv6MessageType.confirm.rawValue,
               e.messageType != DHCPv6MessageType.release.rawValue,
               e.messageType != DHCPv6MessageType.decline.rawValue {
                return line(.info, "DHCPv6 lease granted", [
                    ("message_type", type), ("mac", e.mac?.description), ("duid", e.clientID?.description),
                    ("na", r.ipv6NA.description), ("pd", r.ipv6PD.description),
                    ("method", e.match?.method.rawValue), ("relay", relay), ("xid", xid)])
            }
            if e.messageType == DHCPv6MessageType.renew.rawValue || e.messageType == DHCPv6MessageType.rebind.rawValue {
                return line(.info, "DHCPv6 Reply sent with NoBinding — no reservation for renewing client", [
                    ("mac", e.mac?.description), ("duid", e.clientID?.description), ("relay", relay),
                    ("xid", xid)])
            }
            let request = e.messageType.map(DHCPv6MessageType.eventName(ofRawType:)) ?? "Unknown"
            return line(.info, "DHCPv6 \(type) sent for \(request)", [
                ("duid", e.clientID?.description), ("relay", relay), ("xid", xid)])
        case .noReply(let reason) where reason == .noReservation:
            return line(.info, "DHCPv6: no reservation found — not responding", [
                ("duid", e.clientID?.description), ("mac", e.mac?.description),
                ("interface_id", e.option1837Interface), ("remote_id", e.option1837Remote),
                ("relay", relay), ("xid", xid)])
        case .noReply(let reason) where reason == .relayNotAllowedForSubnet:
            return line(.warn, "DHCPv6: relay not allowed for the reservation's subnet — not responding", [
                ("reservation_na", relayMismatch?.reservedNA.description),
                ("reservation_pd", relayMismatch?.reservedPD?.description),
                ("duid", e.clientID?.description), ("mac", e.mac?.description),
                ("relay_link_address", relayMismatch?.relay.description),
                ("subnet", relayMismatch?.subnet.description), ("relay", relay), ("xid", xid)])
        case .noReply(let reason):
            return line(.debug, "DHCPv6: not responding", [
                ("reason", reason.rawValue), ("error", decodeError?.description), ("relay", relay),
                ("xid", xid)])
        }
    }
}
