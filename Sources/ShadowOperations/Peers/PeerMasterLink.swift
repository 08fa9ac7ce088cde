import IPC

/// What the peer channel needs from the master (docs/ipc.md, "High availability"). In
/// `shadow-ops` the IPC link implements it; tests use an in-memory fake.
///
/// The one-way sends must not block (a full channel is the master's problem, as for events);
/// the async calls return nil when the master does not answer (it is gone).
public protocol PeerMasterLink: Sendable {
    /// `peer-states`: the peers that count as alive for the shares, and whether the first table
    /// pull is done.
    func sendPeerStates(_ states: PeerStates)
    /// `peer-bindings`: bindings a peer sent (split into messages that fit the channel).
    func sendPeerBindings(_ records: [BindingRecord])
    /// The master's binding count (`bindings-request` without a MAC).
    func bindingCount() async -> Int?
    /// The master's whole binding table (`binding-table-request`, answered begin → chunks →
    /// commit).
    func bindingTable() async -> [BindingRecord]?
    /// The live snapshot's generation and digest, nil before the first.
    func liveSnapshot() -> (generation: UInt64, digest: UInt64)?
}
