import Crypto
import IPC

/// One peer connection's framing, handshake, authentication and replay protection, as a pure
/// state machine over bytes (docs/high-availability.md, "The peer channel"). The network code
/// feeds it what it reads and writes what it returns; any ``Failure`` means: log, count, close.
///
/// Frame: `length u32` (bytes after this field), `type u8`, `flags u8` (0), `sequence u64`,
/// the payload, and for every type but hello and challenge a 32-byte HMAC-SHA256 tag over
/// type…payload. Handshake: the dialer sends `hello` (its name, a fresh nonce), the acceptor
/// answers `challenge` (its name, its nonce); both derive one key per direction with
/// HKDF-SHA256 from the shared key, both nonces and both names; the dialer sends `auth`, the
/// acceptor checks its tag and answers `authOK`. A frame whose tag does not verify, whose
/// sequence is not exactly the next one of its direction (starting at 0), or whose type is not
/// expected in the current state is a failure. Fresh nonces on both sides make every
/// connection's keys new, so no frame can be replayed into another connection.
public struct PeerSession {
    public enum Role: Sendable { case dialer, acceptor }

    /// Why a connection must be closed. ``reason`` is the metric label.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case oversize(length: Int)
        case malformed(type: UInt8, detail: String)
        case unknownType(UInt8)
        case unexpected(PeerMessageType)
        case badTag(PeerMessageType)
        case badSequence(expected: UInt64, got: UInt64)
        case unknownPeer(String)

        public var reason: String {
            switch self {
            case .oversize: "oversize"
            case .malformed: "malformed"
            case .unknownType: "unknown_type"
            case .unexpected: "unexpected"
            case .badTag: "authentication"
            case .badSequence: "replay"
            case .unknownPeer: "unknown_peer"
            }
        }

        public var description: String {
            switch self {
            case .oversize(let n): "frame of \(n) bytes is larger than \(PeerSession.maximumFrameBytes)"
            case .malformed(let t, let d): "malformed frame of type \(t): \(d)"
            case .unknownType(let t): "unknown frame type \(t)"
            case .unexpected(let t): "unexpected \(t) frame"
            case .badTag(let t): "\(t) frame failed authentication (wrong key or altered frame)"
            case .badSequence(let e, let g): "frame sequence \(g), expected \(e) (replayed or dropped frame)"
            case .unknownPeer(let n): "peer calls itself \"\(n)\", which is not a configured peer"
            }
        }
    }

    public enum State: Sendable, Equatable {
        case awaitingHello, awaitingChallenge, awaitingAuth, awaitingAuthOK, established
    }

    /// Largest frame accepted (after the length field).
    public static let maximumFrameBytes = 1 << 20
    static let headerBytes = 10
    static let tagBytes = 32

    public let role: Role
    public let name: String
    public private(set) var state: State
    /// The authenticated (once ``isEstablished``) or claimed name of the other side.
    public private(set) var peerName: String?
    public var isEstablished: Bool { state == .established }

    private let key: SymmetricKey
    private let nonce: [UInt8]
    private let allowedPeers: Set<String>
    private var sendKey: SymmetricKey?
    private var receiveKey: SymmetricKey?
    private var sendSequence: UInt64 = 0
    private var receiveSequence: UInt64 = 0
    private var buffer: [UInt8] = []
    private var consumed = 0

    /// `nonce`: 32 fresh random bytes (``PeerSession/freshNonce()``); `allowedPeers`: the names
    /// the other side may have (for a dialer, the one peer it dialled).
    public init(role: Role, key: SymmetricKey, name: String, nonce: [UInt8], allowedPeers: Set<String>) {
        precondition(nonce.count == PeerGreeting.nonceBytes)
        self.role = role
        self.key = key
        self.name = name
        self.nonce = nonce
        self.allowedPeers = allowedPeers
        self.state = role == .dialer ? .awaitingChallenge : .awaitingHello
    }

    /// 32 bytes from the system's CSPRNG.
    public static func freshNonce() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// The dialer's first frame.
    public func opening() -> [UInt8] {
        precondition(role == .dialer)
        return frame(.hello(PeerGreeting(name: name, nonce: nonce)), sequence: 0, key: nil)
    }

    /// An authenticated frame carrying `message`; only once ``isEstablished``.
    public mutating func seal(_ message: PeerMessage) -> [UInt8] {
        precondition(state == .established || message == .auth || message == .authOK)
        defer { sendSequence += 1 }
        return frame(message, sequence: sendSequence, key: sendKey)
    }

    /// Takes bytes read from the connection. Returns the messages for the application (only once
    /// established: heartbeat, bindings, table-request, table-chunk, table-end) and the frames
    /// the handshake must send back. Incomplete frames wait for more bytes.
    public mutating func receive<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(Failure)
        -> (messages: [PeerMessage], replies: [[UInt8]]) {
        buffer.append(contentsOf: bytes)
        var messages: [PeerMessage] = []
        var replies: [[UInt8]] = []
        while let (type, payloadRange, tagRange, sequence, frameRange) = try nextFrame() {
            let message = try open(type, payloadRange, tagRange, sequence, frameRange)
            if let reply = try advance(with: message) { replies.append(reply) } else if isEstablished
                && message.type != .authOK {
                messages.append(message)
            }
        }
        if consumed > 0 && consumed == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            consumed = 0
        } else if consumed > 65_536 {
            buffer.removeFirst(consumed)
            consumed = 0
        }
        return (messages, replies)
    }

    // MARK: Framing

    private func frame(_ message: PeerMessage, sequence: UInt64, key: SymmetricKey?) -> [UInt8] {
        var w = ByteWriter()
        w.u32(0)
        w.u8(message.type.rawValue)
        w.u8(0)
        w.u64(sequence)
        message.encodePayload(into: &w)
        var bytes = w.bytes
        if let key {
            let tag = HMAC<SHA256>.authenticationCode(for: bytes[4...], using: key)
            bytes.append(contentsOf: tag)
        }
        let length = UInt32(bytes.count - 4)
        withUnsafeBytes(of: length.littleEndian) { bytes.replaceSubrange(0..<4, with: $0) }
        return bytes
    }

    /// The next complete frame's parts, or nil when more bytes are needed.
    private mutating func nextFrame() throws(Failure)
        -> (PeerMessageType, Range<Int>, Range<Int>?, UInt64, Range<Int>)? {
        let available = buffer.count - consumed
        guard available >= 4 else { return nil }
        let start = consumed
        let length = Int(UInt32(buffer[start]) | UInt32(buffer[start + 1]) << 8 | UInt32(buffer[start + 2]) << 16
            | UInt32(buffer[start + 3]) << 24)
        guard length <= PeerSession.maximumFrameBytes else { throw .oversize(length: length) }
        guard length >= PeerSession.headerBytes else {
            throw .malformed(type: 0, detail: "frame of \(length) bytes is shorter than its header")
        }
        guard available >= 4 + length else { return nil }
        let body = start + 4
        let typeByte = buffer[body]
        guard let type = PeerMessageType(rawValue: typeByte) else { throw .unknownType(typeByte) }
        guard buffer[body + 1] == 0 else { throw .malformed(type: typeByte, detail: "flags must be 0") }
        var sequence: UInt64 = 0
        for i in 0..<8 { sequence |= UInt64(buffer[body + 2 + i]) << (8 * UInt64(i)) }
        let end = body + length
        var tagRange: Range<Int>?
        var payloadEnd = end
        if type.isAuthenticated {
            guard length >= PeerSession.headerBytes + PeerSession.tagBytes else {
                throw .malformed(type: typeByte, detail: "no room for the authentication tag")
            }
            payloadEnd = end - PeerSession.tagBytes
            tagRange = payloadEnd..<end
        }
        consumed = end
        return (type, (body + PeerSession.headerBytes)..<payloadEnd, tagRange, sequence, body..<payloadEnd)
    }

    private mutating func open(_ type: PeerMessageType, _ payload: Range<Int>, _ tag: Range<Int>?, _ sequence: UInt64,
                               _ signed: Range<Int>) throws(Failure) -> PeerMessage {
        if let tag {
            guard let receiveKey else { throw .unexpected(type) }
            guard HMAC<SHA256>.isValidAuthenticationCode(buffer[tag], authenticating: buffer[signed], using: receiveKey)
            else { throw .badTag(type) }
            guard sequence == receiveSequence else { throw .badSequence(expected: receiveSequence, got: sequence) }
            receiveSequence += 1
        } else if sequence != 0 {
            throw .malformed(type: type.rawValue, detail: "an unauthenticated frame has sequence 0")
        }
        let decoded: Result<PeerMessage, ByteReader.Failure> = buffer[payload].withUnsafeBytes { raw in
            var r = ByteReader(raw)
            do throws(ByteReader.Failure) {
                let m = try PeerMessage.decodePayload(type, &r)
                guard r.isAtEnd else { return .failure(.invalid(field: "trailing bytes", offset: r.offset)) }
                return .success(m)
            } catch {
                return .failure(error)
            }
        }
        switch decoded {
        case .success(let m): return m
        case .failure(let f): throw .malformed(type: type.rawValue, detail: "\(f)")
        }
    }

    // MARK: Handshake

    /// Moves the handshake on; returns a frame to send back, if any.
    private mutating func advance(with message: PeerMessage) throws(Failure) -> [UInt8]? {
        switch (state, message) {
        case (.awaitingHello, .hello(let theirs)):
            guard allowedPeers.contains(theirs.name) else { throw .unknownPeer(theirs.name) }
            peerName = theirs.name
            deriveKeys(dialer: theirs, acceptor: PeerGreeting(name: name, nonce: nonce))
            state = .awaitingAuth
            return frame(.challenge(PeerGreeting(name: name, nonce: nonce)), sequence: 0, key: nil)
        case (.awaitingChallenge, .challenge(let theirs)):
            guard allowedPeers.contains(theirs.name) else { throw .unknownPeer(theirs.name) }
            peerName = theirs.name
            deriveKeys(dialer: PeerGreeting(name: name, nonce: nonce), acceptor: theirs)
            state = .awaitingAuthOK
            return seal(.auth)
        case (.awaitingAuth, .auth):
            state = .established
            return seal(.authOK)
        case (.awaitingAuthOK, .authOK):
            state = .established
            return nil
        case (.established, .heartbeat), (.established, .bindings), (.established, .tableRequest),
             (.established, .tableChunk), (.established, .tableEnd):
            return nil
        default:
            throw .unexpected(message.type)
        }
    }

    private mutating func deriveKeys(dialer: PeerGreeting, acceptor: PeerGreeting) {
        let salt = dialer.nonce + acceptor.nonce
        func derive(_ direction: String) -> SymmetricKey {
            let info = Array("shadowdhcp-ha-1 \(direction) \(dialer.name) \(acceptor.name)".utf8)
            return HKDF<SHA256>.deriveKey(inputKeyMaterial: key, salt: salt, info: info, outputByteCount: 32)
        }
        let toAcceptor = derive("dialer-to-acceptor"), toDialer = derive("acceptor-to-dialer")
        (sendKey, receiveKey) = role == .dialer ? (toAcceptor, toDialer) : (toDialer, toAcceptor)
    }
}
