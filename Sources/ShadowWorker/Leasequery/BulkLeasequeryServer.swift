import ShadowCore
import ShadowSystem
import SystemPackage

/// The limits of bulk leasequery connections (`leasequery` of config.json, docs/leasequery.md).
public struct BulkLimits: Sendable, Equatable {
    public var maxConnections: Int
    public var maxMessageBytes: Int
    public var idleTimeoutMilliseconds: UInt64
    public var lifetimeMilliseconds: UInt64
    /// Encoded replies a connection may hold waiting for its reader; the stream is asked for
    /// more only below it.
    public var queueBytes: Int

    public static let defaultQueueBytes = 64 * 1024

    public init(maxConnections: Int, maxMessageBytes: Int, idleTimeoutMilliseconds: UInt64,
                lifetimeMilliseconds: UInt64, queueBytes: Int = BulkLimits.defaultQueueBytes) {
        self.maxConnections = maxConnections
        self.maxMessageBytes = maxMessageBytes
        self.idleTimeoutMilliseconds = idleTimeoutMilliseconds
        self.lifetimeMilliseconds = lifetimeMilliseconds
        self.queueBytes = queueBytes
    }

    public init(_ s: LeasequerySettings) {
        self.init(maxConnections: s.bulkMaxConnections, maxMessageBytes: s.bulkMaxMessageBytes,
                  idleTimeoutMilliseconds: UInt64(s.bulkIdleTimeoutSeconds) * 1000,
                  lifetimeMilliseconds: UInt64(s.bulkLifetimeSeconds) * 1000)
    }
}

/// Bulk leasequery over TCP (RFC 6926, RFC 5460), protocol-neutral: accepts on the listener the
/// master bound and handed over, reads messages framed by a 2-byte big-endian length, hands each
/// whole message to the protocol's handler and writes the replies it streams back, each framed
/// the same way. Everything is non-blocking and runs on the worker's packet loop thread between
/// UDP batches: the loop polls ``pollItems`` and calls ``service(_:now:answer:count:)``.
///
/// - A connection from outside `allowed`, or past `maxConnections`, is accepted and closed at once.
/// - A zero or oversized length, or a message the handler cannot decode at all, closes that
///   connection only.
/// - Queries on one connection are answered one after the other; while one streams, the next waits
///   in the socket (TCP flow control).
/// - Replies wait in a queue of at most ``BulkLimits/queueBytes`` (plus one message) per
///   connection; a slow reader only slows its own stream, never the loop.
/// - A connection with no byte read or written for the idle timeout, or open for its lifetime,
///   is closed.
public final class BulkLeasequeryServer {
    let listener: FileDescriptor
    let limits: BulkLimits
    private let allows: (SocketAddress) -> Bool
    private var connections: [Connection] = []
    /// accept4 failed for want of a descriptor (EMFILE, ENFILE) or memory: the listener is not
    /// polled until a connection closes, so a full table never spins the loop.
    private var acceptPaused = false

    final class Connection {
        let fd: FileDescriptor
        let peer: SocketAddress
        let openedAt: UInt64
        var lastActivity: UInt64
        var input: [UInt8] = []
        var output: [UInt8] = []
        var outputStart = 0
        var stream: (any BulkReplyStream)?
        /// The peer closed its sending side: answer what it sent, then close.
        var peerClosed = false

        init(fd: FileDescriptor, peer: SocketAddress, now: UInt64) {
            self.fd = fd
            self.peer = peer
            openedAt = now
            lastActivity = now
        }

        var pendingOutput: Int { output.count - outputStart }
    }

    /// `allows`: whether a peer may connect (the querier check of `leasequery.allowed`).
    public init(listener: FileDescriptor, limits: BulkLimits, allows: @escaping (SocketAddress) -> Bool) {
        self.listener = listener
        self.limits = limits
        self.allows = allows
    }

    deinit {
        for c in connections { try? c.fd.close() }
    }

    /// Open connections.
    public var connectionCount: Int { connections.count }

    /// Whether a connection is open: the loop then polls instead of waiting in `recvmmsg`, so a
    /// query or a writable socket is seen at once.
    public var isActive: Bool { !connections.isEmpty }

    /// The descriptors to poll: the listener (readable), then each connection (readable when it
    /// can take a query, writable while replies wait).
    public var pollItems: [(FileDescriptor, PollEvents)] {
        var items: [(FileDescriptor, PollEvents)] = [(listener, acceptPaused ? [] : .readable)]
        for c in connections {
            var events: PollEvents = []
            if c.stream == nil && !c.peerClosed { events.insert(.readable) }
            if c.pendingOutput > 0 || c.stream != nil { events.insert(.writable) }
            items.append((c.fd, events))
        }
        return items
    }

    /// Serves what `poll` reported for ``pollItems`` (`events[i]` for item i; an empty array
    /// serves everything that does not block), then closes timed-out connections.
    /// `answer`: the protocol's handler — a whole query message from a peer → its reply stream,
    /// nil when the message cannot be decoded at all (the connection is closed).
    public func service(_ events: [PollEvents], now: UInt64,
                        answer: (UnsafeRawBufferPointer, SocketAddress) -> (any BulkReplyStream)?,
                        count: (BulkConnectionEvent) -> Void) {
        let current = connections
        for (i, c) in current.enumerated() {
            let e = i + 1 < events.count ? events[i + 1] : (events.isEmpty ? [.readable, .writable] : [])
            if e.isEmpty { continue }
            if let closed = serve(c, now: now, answer: answer) { close(c, closed, count) }
        }
        if events.isEmpty || !events[0].isEmpty { acceptAll(now: now, count: count) }
        for c in connections {
            if now &- c.openedAt >= limits.lifetimeMilliseconds {
                close(c, .lifetime, count)
            } else if now &- c.lastActivity >= limits.idleTimeoutMilliseconds {
                close(c, .idleTimeout, count)
            }
        }
    }

    private func acceptAll(now: UInt64, count: (BulkConnectionEvent) -> Void) {
        while true {
            let accepted: (FileDescriptor, SocketAddress?)?
            do { accepted = try StreamConnection.accept(listener) } catch {
                acceptPaused = true
                count(.failed)
                return
            }
            guard let (fd, peer) = accepted else { return }
            guard let peer, allows(peer) else {
                try? fd.close()
                count(.notAllowed)
                continue
            }
            guard connections.count < limits.maxConnections else {
                try? fd.close()
                count(.tooMany)
                continue
            }
            connections.append(Connection(fd: fd, peer: peer, now: now))
            count(.accepted)
        }
    }

    private func close(_ c: Connection, _ why: BulkConnectionEvent, _ count: (BulkConnectionEvent) -> Void) {
        guard let i = connections.firstIndex(where: { $0 === c }) else { return }
        connections.remove(at: i)
        try? c.fd.close()
        acceptPaused = false
        count(why)
    }

    /// Reads, answers and writes for one connection; returns why it must close, if it must. At
    /// most four queues' worth is written per call, so one fast reader cannot hold the loop.
    private func serve(_ c: Connection, now: UInt64,
                       answer: (UnsafeRawBufferPointer, SocketAddress) -> (any BulkReplyStream)?) -> BulkConnectionEvent? {
        if c.stream == nil, !c.peerClosed, let closed = read(c, now: now) { return closed }
        var budget = 4 * limits.queueBytes
        while true {
            if c.stream == nil {
                switch nextQuery(c) {
                case .none: break
                case .malformed: return .malformed
                case .oversized: return .oversized
                case .query(let message):
                    guard let stream = message.withUnsafeBytes({ answer($0, c.peer) }) else { return .malformed }
                    c.stream = stream
                }
            }
            if c.stream == nil && c.pendingOutput == 0 {
                // Everything asked was answered; a peer that closed its side is done.
                return c.peerClosed ? .closedByPeer : nil
            }
            fill(c)
            let before = c.outputStart
            switch flush(c, now: now) {
            case .failed: return .failed
            case .closed: return .closedByPeer
            case .blocked: return nil
            case .done: break
            }
            budget -= c.outputStart - before
            if budget <= 0 { return nil }
        }
    }

    private enum Frame { case none, malformed, oversized, query([UInt8]) }

    private func hasWholeFrame(_ c: Connection) -> Bool {
        guard c.input.count >= 2 else { return false }
        return c.input.count >= 2 + (Int(c.input[0]) << 8 | Int(c.input[1]))
    }

    /// The next whole query in the input, if there is one.
    private func nextQuery(_ c: Connection) -> Frame {
        guard c.input.count >= 2 else { return .none }
        let length = Int(c.input[0]) << 8 | Int(c.input[1])
        if length == 0 { return .malformed }
        if length > limits.maxMessageBytes { return .oversized }
        guard c.input.count >= 2 + length else { return .none }
        let message = Array(c.input[2..<(2 + length)])
        c.input.removeFirst(2 + length)
        return .query(message)
    }

    /// Reads what is there, at most one maximum-size frame beyond what is held.
    private func read(_ c: Connection, now: UInt64) -> BulkConnectionEvent? {
        let room = 2 + limits.maxMessageBytes
        while c.input.count < room {
            var chunk = [UInt8](repeating: 0, count: room - c.input.count)
            let got: StreamConnection.Received
            do { got = try chunk.withUnsafeMutableBytes { try StreamConnection.receive(c.fd, into: $0) } } catch {
                return .failed
            }
            switch got {
            case .wouldBlock: return nil
            case .closed:
                c.peerClosed = true
                return nil
            case .bytes(let n):
                c.input.append(contentsOf: chunk[0..<n])
                c.lastActivity = now
                if c.input.count >= 2, Int(c.input[0]) << 8 | Int(c.input[1]) > limits.maxMessageBytes { return nil }
            }
        }
        return nil
    }

    /// Pulls replies from the stream while the queue is below its limit.
    private func fill(_ c: Connection) {
        guard let stream = c.stream else { return }
        if c.outputStart > 0 && (c.outputStart == c.output.count || c.outputStart >= limits.queueBytes) {
            c.output.removeFirst(c.outputStart)
            c.outputStart = 0
        }
        while c.pendingOutput < limits.queueBytes {
            let more = stream.next { message in
                let n = min(message.count, Int(UInt16.max))
                c.output.append(UInt8(n >> 8))
                c.output.append(UInt8(n & 0xFF))
                c.output.append(contentsOf: message.prefix(n))
            }
            if !more {
                c.stream = nil
                return
            }
        }
    }

    private enum Flushed { case done, blocked, closed, failed }

    private func flush(_ c: Connection, now: UInt64) -> Flushed {
        while c.pendingOutput > 0 {
            let sent: Int
            do {
                sent = try c.output.withUnsafeBytes { raw in
                    try StreamConnection.send(c.fd, UnsafeRawBufferPointer(rebasing: raw[c.outputStart...]))
                }
            } catch {
                let e = error as? Errno
                return e == .brokenPipe || e == .connectionReset ? .closed : .failed
            }
            if sent == 0 { return .blocked }
            c.outputStart += sent
            c.lastActivity = now
        }
        return .done
    }
}
