import Synchronization

/// Failed authentications per peer: after ``threshold`` failures within ``window``, each request
/// of that peer waits ``delay`` before it is handled (the waiting is a suspended task, so no
/// thread and no other client waits with it).
///
/// Memory is bounded: at most ``capacity`` peers are tracked; when full, the peer whose last
/// failure is the oldest is forgotten.
public final class AuthFailureThrottle: Sendable {
    public let threshold: Int
    public let window: Duration
    public let delay: Duration
    public let capacity: Int

    private struct Peer {
        /// The most recent failures (at most `threshold`), oldest first, as clock instants.
        var failures: [ContinuousClock.Instant] = []
    }

    private let peers = Mutex<[String: Peer]>([:])

    public init(threshold: Int = 10, window: Duration = .seconds(60), delay: Duration = .seconds(1),
                capacity: Int = 4096) {
        self.threshold = threshold
        self.window = window
        self.delay = delay
        self.capacity = capacity
    }

    /// Counts one failed authentication of `key` at `now`.
    public func recordFailure(_ key: String, now: ContinuousClock.Instant = .now) {
        peers.withLock { peers in
            if peers[key] == nil && peers.count >= capacity, let oldest = Self.oldest(peers) {
                peers[oldest] = nil
            }
            var peer = peers[key] ?? Peer()
            peer.failures.append(now)
            if peer.failures.count > threshold { peer.failures.removeFirst(peer.failures.count - threshold) }
            peers[key] = peer
        }
    }

    /// How long a request of `key` must wait at `now`: ``delay`` when it failed ``threshold``
    /// times within ``window``, else nil.
    public func wait(for key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        peers.withLock { peers in
            guard let peer = peers[key], peer.failures.count >= threshold,
                  let first = peer.failures.first, now - first <= window else { return nil }
            return delay
        }
    }

    /// Peers tracked now.
    public var trackedPeers: Int { peers.withLock { $0.count } }

    private static func oldest(_ peers: [String: Peer]) -> String? {
        peers.min { ($0.value.failures.last ?? .now) < ($1.value.failures.last ?? .now) }?.key
    }
}
