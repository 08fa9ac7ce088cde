import Crypto
import IPC
import ShadowCore
import Testing
@testable import ShadowOperations

/// The HA peer channel's framing and authentication (docs/high-availability.md, "The peer
/// channel"): a handshake between two sessions in memory, then every way a frame can be wrong.
@Suite("HA peer channel: framing, authentication, replay")
struct PeerSessionTests {
    static var key: SymmetricKey { SymmetricKey(data: Array(repeating: UInt8(7), count: 32)) }

    static func pair(dialerKey: SymmetricKey = key, acceptorKey: SymmetricKey = key)
        -> (dialer: PeerSession, acceptor: PeerSession) {
        (PeerSession(role: .dialer, key: dialerKey, name: "dhcp-a", nonce: PeerSession.freshNonce(),
                     allowedPeers: ["dhcp-b"]),
         PeerSession(role: .acceptor, key: acceptorKey, name: "dhcp-b", nonce: PeerSession.freshNonce(),
                     allowedPeers: ["dhcp-a"]))
    }

    /// Runs the handshake; returns both sessions established.
    static func established() throws -> (dialer: PeerSession, acceptor: PeerSession) {
        var (d, a) = pair()
        let challenge = try a.receive(d.opening())
        #expect(challenge.messages.isEmpty && challenge.replies.count == 1)
        let auth = try d.receive(challenge.replies[0])
        #expect(auth.replies.count == 1)
        let ok = try a.receive(auth.replies[0])
        #expect(a.isEstablished && ok.replies.count == 1)
        let done = try d.receive(ok.replies[0])
        #expect(d.isEstablished && done.messages.isEmpty && done.replies.isEmpty)
        #expect(d.peerName == "dhcp-b" && a.peerName == "dhcp-a")
        return (d, a)
    }

    static let heartbeat = PeerMessage.heartbeat(PeerHeartbeat(
        name: "dhcp-a", mode: .loadBalancing, state: .serving, snapshotGeneration: 7, snapshotDigest: 0xABCD,
        bindingCount: 3))

    @Test("Handshake, then messages both ways, also when the bytes arrive one at a time")
    func roundTrip() throws {
        var (d, a) = try Self.established()
        let binding = BindingRecord(mac: MACAddress(bytes: [2, 0, 0, 0, 0, 1]),
                                    option82: Option82(circuit: "eth0/1", remote: "r"), lastSeen: 1_700_000_000)
        let messages: [PeerMessage] = [Self.heartbeat, .bindings([binding, binding]), .tableRequest,
                                       .tableChunk([binding]), .tableEnd(count: 1)]
        var received: [PeerMessage] = []
        for m in messages {
            for byte in d.seal(m) { received += try a.receive([byte]).messages }
        }
        #expect(received == messages)
        #expect(try d.receive(a.seal(Self.heartbeat)).messages == [Self.heartbeat])
    }

    @Test("A peer with another key fails authentication")
    func wrongKey() throws {
        var (d, a) = Self.pair(acceptorKey: SymmetricKey(data: Array(repeating: UInt8(8), count: 32)))
        let challenge = try a.receive(d.opening())
        let auth = try d.receive(challenge.replies[0])
        #expect(throws: PeerSession.Failure.badTag(.auth)) { try a.receive(auth.replies[0]) }
        #expect(PeerSession.Failure.badTag(.auth).reason == "authentication")
    }

    @Test("An altered frame fails authentication")
    func altered() throws {
        var (d, a) = try Self.established()
        var frame = d.seal(Self.heartbeat)
        frame[20] ^= 0x01
        #expect(throws: PeerSession.Failure.badTag(.heartbeat)) { try a.receive(frame) }
    }

    @Test("A replayed frame is refused, within a connection and into another one")
    func replay() throws {
        var (d, a) = try Self.established()
        let frame = d.seal(Self.heartbeat)
        _ = try a.receive(frame)
        #expect(throws: PeerSession.Failure.badSequence(expected: 2, got: 1)) { try a.receive(frame) }
        var (_, other) = try Self.established()
        #expect(throws: PeerSession.Failure.badTag(.heartbeat)) { try other.receive(frame) }
    }

    @Test("Oversize, unknown type, nonzero flags, truncated payload, trailing bytes")
    func malformed() throws {
        var (_, a) = try Self.established()
        #expect(throws: PeerSession.Failure.oversize(length: 0x0200_0000)) { try a.receive([0, 0, 0, 2]) }
        var (_, b) = try Self.established()
        #expect(throws: PeerSession.Failure.unknownType(99)) { try b.receive([10, 0, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }
        var (_, c) = try Self.established()
        #expect(throws: (any Error).self) { try c.receive([10, 0, 0, 0, 5, 1, 0, 0, 0, 0, 0, 0, 0, 0]) }
        // A hello cut short: its name length says 64 bytes that are not there.
        var (_, fresh) = Self.pair()
        let cut: [UInt8] = [12, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0]
        #expect(throws: (any Error).self) { try fresh.receive(cut) }
        // A frame shorter than its header.
        var (_, short) = Self.pair()
        #expect(throws: (any Error).self) { try short.receive([3, 0, 0, 0, 1, 0, 0]) }
    }

    @Test("Incomplete frames wait for more bytes")
    func incomplete() throws {
        var (d, a) = try Self.established()
        let frame = d.seal(Self.heartbeat)
        #expect(try a.receive(frame.dropLast()).messages.isEmpty)
        #expect(try a.receive([frame.last!]).messages == [Self.heartbeat])
    }

    @Test("Messages out of order are refused: data before authentication, a second hello, an unknown peer")
    func order() throws {
        var (d, a) = Self.pair()
        _ = try a.receive(d.opening())
        // The dialer cannot send data yet; an acceptor that gets a heartbeat before auth refuses it.
        var (d2, a2) = try Self.established()
        let hb = d2.seal(Self.heartbeat)
        var (_, early) = Self.pair()
        #expect(throws: PeerSession.Failure.unexpected(.heartbeat)) { try early.receive(hb) }
        #expect(throws: PeerSession.Failure.unexpected(.hello)) { try a2.receive(d.opening()) }
        let stranger = PeerSession(role: .dialer, key: Self.key, name: "dhcp-x", nonce: PeerSession.freshNonce(),
                                   allowedPeers: ["dhcp-b"])
        var (_, acceptor) = Self.pair()
        #expect(throws: PeerSession.Failure.unknownPeer("dhcp-x")) { try acceptor.receive(stranger.opening()) }
    }
}
