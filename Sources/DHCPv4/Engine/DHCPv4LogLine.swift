import ShadowCore

/// A log line the caller should emit for a transaction (docs/dhcpv4.md), with structured fields.
public typealias DHCPv4LogLine = TransactionLogLine

extension DHCPv4Outcome {
    /// The level of the most severe line in ``logLines``, known without building them (they
    /// allocate): a caller whose threshold is above it skips them.
    public var mostSevereLogLevel: DHCPv4LogLine.Level {
        switch action {
        case .reply: replyType == .nak ? .warn : .info
        case .recorded: .info
        case .noReply(let reason):
            switch reason {
            case .parseError, .encodeFailed, .sendFailed: .error
            case .noServerSubnet, .relayNotAllowedForSubnet: .warn
            case .noReservation: .info
            default: .debug
            }
        }
    }

    /// The lines to log for this transaction, in order: at most a warning, then the one narrative
    /// line (info for replies, DECLINE/RELEASE and `NoReservation`; debug for other silences).
    /// Computed on demand; the engine itself never logs.
    public var logLines: [DHCPv4LogLine] {
        let mac = event.mac?.description
        let relay = giaddr.description
        let xid = String(xid)
        let method = event.match?.method.rawValue
        switch action {
        case let .reply(_, destination, port):
            let to = "\(destination):\(port)"
            switch replyType {
            case .nak?:
                return [
                    DHCPv4LogLine(.warn, "client requested ip doesn't match reserved address, sending DHCPNAK",
                                  [("mac", mac), ("reservation_ipv4", reservedAddress?.description),
                                   ("client_requested_ip", clientAddress?.description)]),
                    DHCPv4LogLine(.info, "DHCPv4 NAK sent — requested address does not match reservation",
                                  [("mac", mac), ("relay", relay), ("xid", xid), ("to", to)]),
                ]
            case .offer?:
                return [DHCPv4LogLine(.info, "DHCPv4 lease offered", leaseFields(mac, method, relay, xid, to))]
            default:
                let informed = event.messageTypeCode == DHCPv4MessageType.inform.rawValue
                return [DHCPv4LogLine(.info, informed ? "DHCPv4 INFORM acknowledged" : "DHCPv4 lease acknowledged",
                                      leaseFields(mac, method, relay, xid, to))]
            }
        case let .recorded(type):
            return [DHCPv4LogLine(.info, "DHCPv4 \(type == .decline ? "DECLINE" : "RELEASE") received",
                                  [("mac", mac), ("ip", clientAddress?.description),
                                   ("reservation_ipv4", reservedAddress?.description), ("method", method),
                                   ("relay", relay), ("xid", xid)])]
        case let .noReply(reason):
            return noReplyLines(reason, mac: mac, relay: relay, xid: xid)
        }
    }

    private func leaseFields(_ mac: String?, _ method: String?, _ relay: String, _ xid: String,
                             _ to: String) -> [(String, String?)] {
        let ip = yiaddr == .any ? clientAddress : yiaddr
        return [("mac", mac), ("ip", ip?.description), ("method", method), ("relay", relay), ("xid", xid),
                ("to", to)]
    }

    private func noReplyLines(_ reason: DHCPv4NoReplyReason, mac: String?, relay: String,
                              xid: String) -> [DHCPv4LogLine] {
        switch reason {
        case .parseError:
            return [DHCPv4LogLine(.error, "Unable to parse dhcpv4 message",
                                  [("error", decodeError?.description), ("source", event.relayAddress.description)])]
        case .noReservation:
            let o82 = event.option82
            return [DHCPv4LogLine(.info, "DHCPv4: no reservation found — not responding",
                                  [("mac", mac), ("circuit", o82?.circuit), ("remote", o82?.remote),
                                   ("subscriber", o82?.subscriber), ("relay", relay), ("xid", xid)])]
        case .noServerSubnet:
            return [
                DHCPv4LogLine(.warn, "Couldn't find configured subnet for \(reservedAddress?.description ?? "?")",
                              [("mac", mac)]),
                DHCPv4LogLine(.debug, "DHCPv4: not responding",
                              [("reason", reason.rawValue), ("mac", mac), ("relay", relay), ("xid", xid)]),
            ]
        case .relayNotAllowedForSubnet:
            return [
                DHCPv4LogLine(.warn, "DHCPv4: relay not allowed for the reservation's subnet — not responding",
                              [("reservation_ipv4", reservedAddress?.description), ("mac", mac),
                               ("relay", relayMismatch?.relay.description), ("subnet", relayMismatch?.subnet.description),
                               ("giaddr", relay), ("xid", xid)]),
            ]
        case .encodeFailed, .sendFailed:
            return [DHCPv4LogLine(.error, "Unable to \(reason == .encodeFailed ? "encode" : "send") DHCPv4 reply",
                                  [("mac", mac), ("relay", relay), ("xid", xid)])]
        default:
            return [DHCPv4LogLine(.debug, "DHCPv4: not responding",
                                  [("reason", reason.rawValue), ("mac", mac), ("relay", relay), ("xid", xid)])]
        }
    }
}
