import DHCPv4
import ShadowCore

/// One fuzz input through the decoder and the whole engine, with the invariants every outcome must
/// keep. Returns a description of the first broken invariant, or nil.
enum Harness {
    static func run(_ data: UnsafeRawBufferPointer) -> String? {
        if let failure = checkDecoder(data) { return failure }
        return withUnsafeTemporaryAllocation(byteCount: 1500, alignment: 8) { reply in
            let outcome = FuzzWorld.engine.handle(
                datagram: data, source: FuzzWorld.relay, sourcePort: 6767, snapshot: FuzzWorld.snapshot,
                bindings: BindingTable(capacity: 8), reply: reply)
            if let failure = checkOutcome(outcome, request: data, reply: UnsafeRawBufferPointer(reply)) {
                return failure
            }
            return checkSmallBuffer(data, expected: outcome)
        }
    }

    /// A successful decode must describe the bytes consistently.
    private static func checkDecoder(_ data: UnsafeRawBufferPointer) -> String? {
        guard let m = try? DHCPv4Message(decoding: data) else { return nil }
        guard m.hlen <= 16, m.clientHardwareAddress.count == Int(m.hlen) else { return "chaddr view exceeds 16" }
        guard m.endOffset >= 240, m.endOffset < data.count, data[m.endOffset] == 255 else { return "bad endOffset" }
        if let type = m.messageTypeCode, m.option(53)?.first != type { return "option(53) disagrees" }
        if let relay = m.relayAgentInformation {
            guard relay.payloadRange.upperBound <= m.endOffset else { return "option 82 outside options" }
            guard m.option(82).map({ Array($0) }) == Array(relay.payload) else { return "option(82) disagrees" }
            _ = relay.option82
        }
        for code: UInt8 in [1, 50, 54, 61, 255] { _ = m.option(code) }
        return nil
    }

    private static func checkOutcome(_ o: DHCPv4Outcome, request: UnsafeRawBufferPointer,
                                     reply: UnsafeRawBufferPointer) -> String? {
        let line = o.event.jsonLine(timestampKey: "timestamp_ms", timestamp: 1)
        guard line.hasPrefix("{\"ip_version\":\"v4\",\"timestamp_ms\":1,"), line.hasSuffix("}") else {
            return "event JSON malformed: \(line)"
        }
        _ = o.logLines
        switch o.action {
        case let .reply(length, destination, port):
            guard o.event.success, o.event.failureReason == nil else { return "reply with failed event" }
            guard length >= 300, length <= reply.count else { return "reply length \(length)" }
            guard port == 67 || port == 6767, destination != .any else { return "bad destination" }
            return checkReply(UnsafeRawBufferPointer(rebasing: reply[0..<length]), outcome: o, request: request)
        case let .noReply(reason):
            guard !o.event.success, o.event.failureReason == reason else { return "noReply event mismatch" }
            guard (o.event.reservation == nil) == (reason != .encodeFailed) else { return "reservation leaked" }
            guard (reason == .parseError) == (o.decodeError != nil) else { return "decodeError mismatch" }
            guard o.learnedBinding == nil else { return "binding learned without reply" }
        case let .recorded(type):
            guard type == .decline || type == .release, o.event.success, o.event.reservation != nil else {
                return "recorded outcome inconsistent"
            }
        }
        return nil
    }

    /// Every reply must decode with our own decoder and keep the RFC 2131 / docs/dhcpv4.md rules.
    private static func checkReply(_ bytes: UnsafeRawBufferPointer, outcome o: DHCPv4Outcome,
                                   request: UnsafeRawBufferPointer) -> String? {
        guard let r = try? DHCPv4Message(decoding: bytes) else { return "reply does not decode" }
        guard let q = try? DHCPv4Message(decoding: request) else { return "reply to undecodable request" }
        guard r.op == 2, r.hops == 0, r.xid == q.xid, r.giaddr == q.giaddr, r.secs == 0 else { return "header" }
        guard let type = r.messageType, type == o.replyType, [.offer, .ack, .nak].contains(type) else {
            return "reply type"
        }
        guard r.serverIdentifier != nil, r.option(51) == nil || type != .nak else { return "options" }
        if type == .nak, r.yiaddr != .any || r.flags & 0x8000 == 0 { return "NAK shape" }
        guard Array(r.clientHardwareAddress) == Array(q.clientHardwareAddress) else { return "chaddr" }
        let echoed = r.relayAgentInformation.map { Array($0.payload) }
        guard echoed == q.relayAgentInformation.map({ Array($0.payload) }) else { return "Option 82 not echoed" }
        if o.learnedBinding != nil && type != .ack { return "binding learned without ACK" }
        return nil
    }

    /// The same input with a reply buffer too small for any reply must fail soft.
    private static func checkSmallBuffer(_ data: UnsafeRawBufferPointer, expected: DHCPv4Outcome) -> String? {
        withUnsafeTemporaryAllocation(byteCount: 299, alignment: 8) { small in
            let o = FuzzWorld.engine.handle(
                datagram: data, source: FuzzWorld.relay, sourcePort: 6767, snapshot: FuzzWorld.snapshot,
                bindings: BindingTable(capacity: 8), reply: small)
            if expected.reply != nil {
                return o.reason == .encodeFailed ? nil : "small buffer did not give EncodeFailed"
            }
            return o.action == expected.action ? nil : "small buffer changed the decision"
        }
    }
}
