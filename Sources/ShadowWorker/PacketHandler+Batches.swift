import IPC
import ShadowCore
import ShadowSystem

// The batch step as concrete, non-generic entry points for callers in other modules
// (bench-worker's PacketPathBench, the callgrind harness of docs/performance.md). A caller outside
// this module that used the inlinable `PacketHandler.answer(batch:…)` itself would inline the
// loop but call `handle` across the module boundary for every datagram; through these, the
// per-datagram path is compiled here, inlined exactly as in the worker's own `serveBatch`, and
// the caller pays one call per batch.

extension V4PacketHandler {
    /// ``PacketHandler/answer(batch:_:snapshot:bindings:shares:sender:sink:)`` over datagrams in memory.
    public func answer(batch: UnsafeBufferPointer<ReceivedDatagram>, snapshot: ReservationSnapshot,
                       bindings: BindingTable, shares: WorkerShares, sender: DatagramSender,
                       sink: inout WorkerSink) {
        answer(batch: batch.count, { batch[$0] }, snapshot: snapshot, bindings: bindings, shares: shares, sender: sender,
               sink: &sink)
    }

    /// The same over the `count` datagrams `receiver` holds after a receive.
    public func answer(received count: Int, from receiver: DatagramReceiver, snapshot: ReservationSnapshot,
                       bindings: BindingTable, shares: WorkerShares, sender: DatagramSender,
                       sink: inout WorkerSink) {
        answer(batch: count, { receiver[$0] }, snapshot: snapshot, bindings: bindings, shares: shares, sender: sender,
               sink: &sink)
    }
}

extension V6PacketHandler {
    /// ``PacketHandler/answer(batch:_:snapshot:bindings:shares:sender:sink:)`` over datagrams in memory.
    public func answer(batch: UnsafeBufferPointer<ReceivedDatagram>, snapshot: ReservationSnapshot,
                       bindings: BindingTable, shares: WorkerShares, sender: DatagramSender,
                       sink: inout WorkerSink) {
        answer(batch: batch.count, { batch[$0] }, snapshot: snapshot, bindings: bindings, shares: shares, sender: sender,
               sink: &sink)
    }

    /// The same over the `count` datagrams `receiver` holds after a receive.
    public func answer(received count: Int, from receiver: DatagramReceiver, snapshot: ReservationSnapshot,
                       bindings: BindingTable, shares: WorkerShares, sender: DatagramSender,
                       sink: inout WorkerSink) {
        answer(batch: count, { receiver[$0] }, snapshot: snapshot, bindings: bindings, shares: shares, sender: sender,
               sink: &sink)
    }
}
