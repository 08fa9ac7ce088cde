import IPC
import ShadowCore

/// The messages of the HA peer channel (docs/high-availability.md, "The peer channel").
public enum PeerMessage: Equatable, Sendable {
    /// The dialer's opening: its server name and a fresh 32-byte nonce. Not authenticated.
    case hello(PeerGreeting)
    /// The acceptor's answer: its name and its nonce. Not authenticated.
    case challenge(PeerGreeting)
    /// The dialer's first authenticated frame: proves it holds the key.
    case auth
    /// The acceptor's first authenticated frame: proves it holds the key too.
    case authOK
    case heartbeat(PeerHeartbeat)
    /// Bindings learned or refreshed since the last batch.
    case bindings([BindingRecord])
    /// Asks for the whole binding table (answered with chunks, then `tableEnd`).
    case tableRequest
    case tableChunk([BindingRecord])
    /// The end of a table transfer: how many bindings the chunks held.
    case tableEnd(count: UInt32)

    public var type: PeerMessageType {
        switch self {
        case .hello: .hello
        case .challenge: .challenge
        case .auth: .auth
        case .authOK: .authOK
        case .heartbeat: .heartbeat
        case .bindings: .bindings
        case .tableRequest: .tableRequest
        case .tableChunk: .tableChunk
        case .tableEnd: .tableEnd
        }
    }
}

/// The type byte of a frame.
public enum PeerMessageType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case hello = 1, challenge, auth, authOK, heartbeat, bindings, tableRequest, tableChunk, tableEnd

    /// Hello and challenge travel before the keys exist; every other frame carries a tag.
    public var isAuthenticated: Bool { self != .hello && self != .challenge }

    public var description: String {
        switch self {
        case .hello: "hello"
        case .challenge: "challenge"
        case .auth: "auth"
        case .authOK: "auth-ok"
        case .heartbeat: "heartbeat"
        case .bindings: "bindings"
        case .tableRequest: "table-request"
        case .tableChunk: "table-chunk"
        case .tableEnd: "table-end"
        }
    }
}

/// A server's name and its nonce for one connection.
public struct PeerGreeting: Equatable, Sendable {
    public static let nonceBytes = 32
    public var name: String
    public var nonce: [UInt8]
    public init(name: String, nonce: [UInt8]) {
        self.name = name
        self.nonce = nonce
    }
}

/// What a server tells its peers every `heartbeat_ms`.
public struct PeerHeartbeat: Equatable, Sendable {
    /// Where the sender stands.
    public enum State: UInt8, Sendable {
        /// Started, still pulling its peers' bindings: does not take its share yet.
        case syncing = 1
        /// Answering its share.
        case serving = 2
    }

    public var name: String
    public var mode: HASettings.Mode
    public var state: State
    public var snapshotGeneration: UInt64
    public var snapshotDigest: UInt64
    public var bindingCount: UInt32

    public init(name: String, mode: HASettings.Mode, state: State, snapshotGeneration: UInt64,
                snapshotDigest: UInt64, bindingCount: UInt32) {
        self.name = name
        self.mode = mode
        self.state = state
        self.snapshotGeneration = snapshotGeneration
        self.snapshotDigest = snapshotDigest
        self.bindingCount = bindingCount
    }
}

// MARK: Payloads

extension PeerMessage {
    /// Most bindings in one `bindings` or `tableChunk` frame.
    public static let maximumBindingsPerFrame = 4096

    func encodePayload(into w: inout ByteWriter) {
        switch self {
        case .hello(let g), .challenge(let g):
            w.string16(g.name)
            w.raw(g.nonce)
        case .auth, .authOK, .tableRequest:
            break
        case .heartbeat(let h):
            w.string16(h.name)
            w.u8(h.mode.wireCode)
            w.u8(h.state.rawValue)
            w.u64(h.snapshotGeneration)
            w.u64(h.snapshotDigest)
            w.u32(h.bindingCount)
        case .bindings(let records), .tableChunk(let records):
            w.u16(UInt16(records.count))
            for r in records { r.encode(into: &w) }
        case .tableEnd(let count):
            w.u32(count)
        }
    }

    static func decodePayload(_ type: PeerMessageType, _ r: inout ByteReader) throws(ByteReader.Failure) -> PeerMessage {
        let message: PeerMessage
        switch type {
        case .hello, .challenge:
            let name = try r.string16(field: "name")
            guard !name.isEmpty, name.utf8.count <= 64 else { throw r.invalid("name") }
            let nonce = Array(try r.bytes(PeerGreeting.nonceBytes))
            let g = PeerGreeting(name: name, nonce: nonce)
            message = type == .hello ? .hello(g) : .challenge(g)
        case .auth: message = .auth
        case .authOK: message = .authOK
        case .tableRequest: message = .tableRequest
        case .heartbeat:
            let name = try r.string16(field: "name")
            let modeAt = r.offset
            guard let mode = HASettings.Mode(wireCode: try r.u8()) else { throw r.invalid("mode", at: modeAt) }
            let stateAt = r.offset
            guard let state = PeerHeartbeat.State(rawValue: try r.u8()) else { throw r.invalid("state", at: stateAt) }
            message = .heartbeat(PeerHeartbeat(name: name, mode: mode, state: state, snapshotGeneration: try r.u64(),
                                               snapshotDigest: try r.u64(), bindingCount: try r.u32()))
        case .bindings, .tableChunk:
            let countAt = r.offset
            let count = Int(try r.u16())
            guard count <= PeerMessage.maximumBindingsPerFrame else { throw r.invalid("count", at: countAt) }
            var records: [BindingRecord] = []
            records.reserveCapacity(count)
            for _ in 0..<count { records.append(try BindingRecord.decode(from: &r)) }
            message = type == .bindings ? .bindings(records) : .tableChunk(records)
        case .tableEnd:
            message = .tableEnd(count: try r.u32())
        }
        return message
    }
}
