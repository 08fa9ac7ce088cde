import IPC
import ShadowCore
import Testing

@Suite struct BindingTableTransferTests {
    static func records(_ n: Int) -> [BindingRecord] {
        (0..<n).map { i in
            BindingRecord(mac: MACAddress(value: UInt64(i)),
                          option82: Option82(circuit: "olt-\(i % 13)/port-\(i)", remote: "remote-\(i % 7)"),
                          lastSeen: UInt64(i))
        }
    }

    @Test func largeTableIsChunkedAndReassembled() throws {
        let table = Self.records(20_000)
        let messages = try BindingTableTransfer.messages(for: table, tableGeneration: 5)
        #expect(messages.count > 3)
        var assembler = BindingTableAssembler()
        var result: [BindingRecord]?
        for message in messages {
            let bytes = try IPCCodec.encode(message, generation: 1, direction: .masterToV6)
            #expect(bytes.count <= IPCLimits.maximumMessageSize)
            let decoded = try IPCCodec.decode(bytes, direction: .masterToV6, hasDescriptor: false).message
            if let table = try assembler.feed(decoded) { result = table }
        }
        #expect(result == table)
        #expect(!assembler.isOpen)
    }

    @Test func recordLargerThanAMessageIsAnError() {
        let big = BindingRecord(mac: Samples.mac, option82: Option82(circuit: String(repeating: "c", count: 40_000),
                                                                     remote: String(repeating: "r", count: 40_000)),
                                lastSeen: 0)
        #expect(throws: IPCError.self) { _ = try BindingTableTransfer.messages(for: [big], tableGeneration: 1) }
    }

    @Test func emptyTableIsBeginAndCommit() throws {
        let messages = try BindingTableTransfer.messages(for: [], tableGeneration: 1)
        #expect(messages.count == 2)
        var assembler = BindingTableAssembler()
        #expect(try assembler.feed(messages[0]) == nil)
        #expect(try assembler.feed(messages[1]) == [])
    }

    @Test func outOfOrderTransfersAreRefused() throws {
        let messages = try BindingTableTransfer.messages(for: Self.records(3), tableGeneration: 2)
        var fresh = BindingTableAssembler()
        #expect(throws: BindingTableAssembler.Failure.outOfOrder(.bindingTableChunk)) { _ = try fresh.feed(messages[1]) }
        var doubleBegin = BindingTableAssembler()
        _ = try doubleBegin.feed(messages[0])
        #expect(throws: BindingTableAssembler.Failure.outOfOrder(.bindingTableBegin)) { _ = try doubleBegin.feed(messages[0]) }
        var early = BindingTableAssembler()
        _ = try early.feed(messages[0])
        #expect(throws: BindingTableAssembler.Failure.countMismatch(announced: 3, received: 0)) {
            _ = try early.feed(messages.last!)
        }
        var other = BindingTableAssembler()
        _ = try other.feed(messages[0])
        let foreign = IPCMessage.bindingTableChunk(BindingTableChunk(tableGeneration: 3, records: []))
        #expect(throws: BindingTableAssembler.Failure.generationMismatch(expected: 2, got: 3)) { _ = try other.feed(foreign) }
        #expect(try fresh.feed(.shutdown) == nil)
    }
}
