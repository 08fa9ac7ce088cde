/// Which clients this server answers now, given the HA mode and which peers are up
/// (docs/high-availability.md, "Who answers").
///
/// Every server has a share, numbered by its position in ``HASettings/serverNames``. A client
/// belongs to one share: in `load-balancing` the RFC 3074 hash of its identifier picks it
/// (``LoadBalancingHash``); in `hot-standby` every client is in the primary's share; in
/// `active-active` shares do not matter, every server answers everyone. A server answers the
/// shares in ``answering``: its own (load-balancing), plus the share of every peer that is down
/// and whose successor it is — the first live server after the dead one in name order, so that
/// with more than two servers a dead peer's clients are answered once, not by every survivor.
/// In `hot-standby` the primary answers while it is up; while it is down, the first live server
/// after it in name order does.
///
/// A plain value: the master computes it from the peer states and sends it to the workers, which
/// test ``answers(shareOf:)`` per packet (one hash, one bit test, no allocation).
public struct ServiceShares: Hashable, Sendable {
    public var mode: HASettings.Mode
    public var serverCount: Int
    /// With `hot-standby`, the primary's index; 0 otherwise.
    public var primaryIndex: Int
    /// Bit i: this server answers share i.
    public var answering: UInt16

    /// No HA: one server, answering everyone.
    public static let standalone = ServiceShares(mode: .activeActive, serverCount: 1, primaryIndex: 0, answering: 1)

    public init(mode: HASettings.Mode, serverCount: Int, primaryIndex: Int, answering: UInt16) {
        self.mode = mode
        self.serverCount = serverCount
        self.primaryIndex = primaryIndex
        self.answering = answering
    }

    /// The shares `settings.thisServer` answers when the servers in `up` are up (this server is
    /// always up to itself).
    public init(settings: HASettings, up: Set<String>) {
        let names = settings.serverNames
        let me = names.firstIndex(of: settings.thisServer) ?? 0
        let alive = names.map { $0 == settings.thisServer || up.contains($0) }
        /// The live server that answers for `share`: its owner if alive, else the next live one.
        func owner(of share: Int) -> Int {
            for step in 0..<names.count where alive[(share + step) % names.count] {
                return (share + step) % names.count
            }
            return me
        }
        var mask: UInt16 = 0
        var primary = 0
        switch settings.mode {
        case .activeActive:
            mask = UInt16(truncatingIfNeeded: (1 << names.count) - 1)
        case .loadBalancing:
            for share in names.indices where owner(of: share) == me { mask |= 1 << share }
        case .hotStandby:
            primary = settings.primary.flatMap { names.firstIndex(of: $0) } ?? 0
            if owner(of: primary) == me { mask = 1 << primary }
        }
        self.init(mode: settings.mode, serverCount: names.count, primaryIndex: primary, answering: mask)
    }

    /// The share a client with this identifier (DHCPv4: option 61's bytes, else chaddr; DHCPv6:
    /// the DUID) belongs to.
    @inlinable
    public func share<Bytes: Collection<UInt8>>(of clientKey: Bytes) -> Int where Bytes.Index == Int {
        switch mode {
        case .activeActive: 0
        case .loadBalancing: LoadBalancingHash.server(for: clientKey, serverCount: serverCount)
        case .hotStandby: primaryIndex
        }
    }

    /// Whether this server answers the client with this identifier.
    @inlinable
    public func answers<Bytes: Collection<UInt8>>(shareOf clientKey: Bytes) -> Bool where Bytes.Index == Int {
        if mode == .activeActive { return true }
        return answering & (1 << UInt16(share(of: clientKey))) != 0
    }

    /// The names of the shares answered, for `peers` and the metrics.
    public func answeringNames(_ settings: HASettings) -> [String] {
        settings.serverNames.enumerated().filter { answering & (1 << UInt16($0.offset)) != 0 }.map(\.element)
    }
}
