import ShadowCore

/// Splits a full binding table into begin → chunks → commit messages that each fit the channel.
public enum BindingTableTransfer {
    /// The messages that send `records` as one transfer identified by `tableGeneration`. Every
    /// message encodes to at most `maximumMessageSize` bytes; a single record too large for any
    /// message is `IPCError.oversize`.
    public static func messages(
        for records: [BindingRecord], tableGeneration: UInt64,
        maximumMessageSize: Int = IPCLimits.maximumMessageSize
    ) throws(IPCError) -> [IPCMessage] {
        let budget = maximumMessageSize - IPCHeader.size - 8 - 2
        var out: [IPCMessage] = [.bindingTableBegin(BindingTableMarker(tableGeneration: tableGeneration,
                                                                         entryCount: UInt32(records.count)))]
        var chunk: [BindingRecord] = []
        var used = 0
        for record in records {
            let size = PayloadEncoder.bindingSize(record)
            guard size <= budget else {
                throw .oversize(size: size + IPCHeader.size + 10, limit: maximumMessageSize)
            }
            if used + size > budget || chunk.count == Int(UInt16.max) {
                out.append(.bindingTableChunk(BindingTableChunk(tableGeneration: tableGeneration, records: chunk)))
                chunk.removeAll(keepingCapacity: true)
                used = 0
            }
            chunk.append(record)
            used += size
        }
        if !chunk.isEmpty {
            out.append(.bindingTableChunk(BindingTableChunk(tableGeneration: tableGeneration, records: chunk)))
        }
        out.append(.bindingTableCommit(BindingTableMarker(tableGeneration: tableGeneration,
                                                            entryCount: UInt32(records.count))))
        return out
    }
}

/// The v6 worker's side of a full binding-table transfer: collects chunks in staging and hands
/// the complete table over only at a commit that matches the begin. Anything out of order is
/// an error (the caller logs it and closes the channel; the master restarts the worker).
public struct BindingTableAssembler: Sendable {
    /// Why a transfer was refused.
    public enum Failure: Error, Hashable, Sendable {
        /// A chunk or commit without a begin, or a begin while another transfer is open.
        case outOfOrder(MessageType)
        /// A chunk or commit names another transfer than the open one.
        case generationMismatch(expected: UInt64, got: UInt64)
        /// More records than the begin announced, or a different total at commit.
        case countMismatch(announced: UInt32, received: Int)
    }

    private var open: BindingTableMarker?
    private var staged: [BindingRecord] = []

    public init() {}

    /// Whether a transfer is in progress.
    public var isOpen: Bool { open != nil }

    /// Feeds one message. Returns the whole table at a valid commit, nil otherwise. Messages
    /// that are not part of a table transfer are ignored (nil).
    public mutating func feed(_ message: IPCMessage) throws(Failure) -> [BindingRecord]? {
        switch message {
        case .bindingTableBegin(let marker):
            guard open == nil else { throw .outOfOrder(.bindingTableBegin) }
            open = marker
            staged = []
            staged.reserveCapacity(Int(marker.entryCount))
            return nil
        case .bindingTableChunk(let chunk):
            let marker = try current(.bindingTableChunk, generation: chunk.tableGeneration)
            guard staged.count + chunk.records.count <= Int(marker.entryCount) else {
                throw .countMismatch(announced: marker.entryCount, received: staged.count + chunk.records.count)
            }
            staged += chunk.records
            return nil
        case .bindingTableCommit(let commit):
            let marker = try current(.bindingTableCommit, generation: commit.tableGeneration)
            guard commit.entryCount == marker.entryCount, staged.count == Int(marker.entryCount) else {
                throw .countMismatch(announced: marker.entryCount, received: staged.count)
            }
            open = nil
            defer { staged = [] }
            return staged
        default:
            return nil
        }
    }

    private func current(_ type: MessageType, generation: UInt64) throws(Failure) -> BindingTableMarker {
        guard let marker = open else { throw .outOfOrder(type) }
        guard marker.tableGeneration == generation else {
            throw .generationMismatch(expected: marker.tableGeneration, got: generation)
        }
        return marker
    }
}
