import ShadowCore

/// One datagram being handled: the decoded message and what every outcome reports about it.
struct DHCPv4Transaction: ~Copyable {
    let message: DHCPv4Message
    let source: IPv4Address
    let sourcePort: UInt16
    /// `chaddr` when `hlen` is 6.
    let mac: MACAddress?
    /// The wire Option 82 triple, when option 82 is present.
    let wireOption82: Option82?

    init(message: DHCPv4Message, source: IPv4Address, sourcePort: UInt16) {
        self.message = message
        self.source = source
        self.sourcePort = sourcePort
        mac = message.clientMAC
        wireOption82 = message.relayAgentInformation?.option82
    }

    /// The event for this datagram with the given result.
    func event(success: Bool, reason: DHCPv4NoReplyReason?, found: Found?,
               replyType: DHCPv4MessageType? = nil) -> DHCPv4Event {
        DHCPv4Event(messageTypeCode: message.messageTypeCode, relayAddress: source, mac: mac,
                    option82: wireOption82, reservation: found?.reservation, match: found?.match,
                    replyType: replyType, success: success, failureReason: reason)
    }

    /// Builds the outcome in one initialisation (no intermediate copies on the hot path).
    private func outcome(_ action: DHCPv4Outcome.Action, success: Bool,
                         reason: DHCPv4NoReplyReason?, found: Found?, replyType: DHCPv4MessageType? = nil,
                         yiaddr: IPv4Address = .any, clientAddress: IPv4Address?, reserved: IPv4Address?,
                         learned: DHCPv4LearnedBinding? = nil,
                         relayMismatch: DHCPv4RelayMismatch? = nil) -> DHCPv4Outcome {
        DHCPv4Outcome(action: action, event: event(success: success, reason: reason, found: found, replyType: replyType),
                      learnedBinding: learned, replyType: replyType, xid: message.xid, giaddr: message.giaddr,
                      yiaddr: yiaddr, clientAddress: clientAddress, reservedAddress: reserved, decodeError: nil,
                      relayMismatch: relayMismatch)
    }

    /// No reply; as docs/events.md asks, the event carries no reservation or match.
    /// `learned`: a binding learned all the same (HA, docs/dhcpv4.md).
    func noReply(_ reason: DHCPv4NoReplyReason, reserved: IPv4Address? = nil,
                 learned: DHCPv4LearnedBinding? = nil, relayMismatch: DHCPv4RelayMismatch? = nil) -> DHCPv4Outcome {
        outcome(.noReply(reason), success: false, reason: reason, found: nil, clientAddress: nil, reserved: reserved,
                learned: learned, relayMismatch: relayMismatch)
    }

    /// A reply was decided but did not fit: the event keeps the reservation and match.
    func encodeFailed(_ found: Found, clientAddress: IPv4Address?) -> DHCPv4Outcome {
        outcome(.noReply(.encodeFailed), success: false, reason: .encodeFailed, found: found,
                clientAddress: clientAddress, reserved: found.reservation.ipv4)
    }

    /// A reply written into the caller's buffer.
    func replied(_ action: DHCPv4Outcome.Action, type: DHCPv4MessageType, yiaddr: IPv4Address,
                 found: Found, clientAddress: IPv4Address?, learned: DHCPv4LearnedBinding?) -> DHCPv4Outcome {
        outcome(action, success: true, reason: nil, found: found, replyType: type, yiaddr: yiaddr,
                clientAddress: clientAddress, reserved: found.reservation.ipv4, learned: learned)
    }

    /// A DECLINE or RELEASE from a reserved client.
    func recorded(_ type: DHCPv4MessageType, _ found: Found, clientAddress: IPv4Address?) -> DHCPv4Outcome {
        outcome(.recorded(type), success: true, reason: nil, found: found, clientAddress: clientAddress,
                reserved: found.reservation.ipv4)
    }

    /// An undecodable datagram: `ParseError`, every field but `relay_addr` null.
    static func parseError(_ error: DHCPv4DecodeError, source: IPv4Address) -> DHCPv4Outcome {
        let event = DHCPv4Event(messageTypeCode: nil, relayAddress: source, mac: nil, option82: nil,
                                success: false, failureReason: .parseError)
        return DHCPv4Outcome(action: .noReply(.parseError), event: event, learnedBinding: nil,
                             replyType: nil, xid: 0, giaddr: .any, yiaddr: .any, clientAddress: nil,
                             reservedAddress: nil, decodeError: error)
    }
}
