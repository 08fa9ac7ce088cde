import Glibc
import ShadowSystem
import SystemPackage
import Testing

@Suite struct SeqPacketChannelTests {
    @Test func wholeMessagesRoundTripBothWays() throws {
        let (a, b) = try SeqPacketChannel.makePair()
        try a.send([1, 2, 3])
        try a.send(Array(repeating: 7, count: SeqPacketChannel.defaultMaximumMessageSize))
        try b.send([9])
        guard case .message(let first, let fd1) = try b.receive() else { Issue.record("no message"); return }
        guard case .message(let second, _) = try b.receive() else { Issue.record("no message"); return }
        guard case .message(let back, _) = try a.receive() else { Issue.record("no message"); return }
        #expect(first == [1, 2, 3])
        #expect(fd1 == nil)
        #expect(second.count == SeqPacketChannel.defaultMaximumMessageSize)
        #expect(back == [9])
    }

    @Test func descriptorTravelsWithTheMessage() throws {
        let (a, b) = try SeqPacketChannel.makePair()
        let (readEnd, writeEnd) = try Pipe.make()
        defer { try? readEnd.close() }
        try a.send([42], passing: writeEnd)
        try writeEnd.close()
        guard case .message(let bytes, let received?) = try b.receive() else {
            Issue.record("no descriptor"); return
        }
        #expect(bytes == [42])
        #expect(try received.isCloseOnExec())
        _ = try received.writeAll(Array("via SCM_RIGHTS".utf8))
        try received.close()
        #expect(String(decoding: try Pipe.readAll(readEnd), as: UTF8.self) == "via SCM_RIGHTS")
    }

    @Test func oversizeIsRefusedOnSendAndDetectedOnReceive() throws {
        let (a, b) = try SeqPacketChannel.makePair(maximumMessageSize: 100)
        #expect(throws: ChannelError.messageTooLarge(size: 101, limit: 100)) { try a.send(Array(repeating: 0, count: 101)) }
        #expect(throws: ChannelError.emptyMessage) { try a.send([]) }
        // A peer with a larger limit sends something this end cannot take whole.
        let (rawA, rawB) = try SeqPacketChannel.makeSocketPair()
        let big = try SeqPacketChannel(adopting: rawA, maximumMessageSize: 1000)
        let small = try SeqPacketChannel(adopting: rawB, maximumMessageSize: 100)
        try big.send(Array(repeating: 1, count: 500))
        #expect(throws: ChannelError.truncated(limit: 100)) { _ = try small.receive() }
        _ = b
    }

    @Test func nonBlockingReceiveAndEndOfFile() throws {
        let (a, b) = try SeqPacketChannel.makePair()
        guard case .wouldBlock = try b.receive(wait: false) else { Issue.record("expected wouldBlock"); return }
        var poller = PollSet([(b.descriptor, .readable)])
        #expect(try poller.wait(timeoutMilliseconds: 0) == 0)
        try a.send([5])
        #expect(try poller.wait(timeoutMilliseconds: 1000) == 1)
        #expect(poller.events(at: 0).contains(.readable))
        guard case .message = try b.receive(wait: false) else { Issue.record("expected a message"); return }
        try a.close()
        guard case .closed = try b.receive() else { Issue.record("expected end of file"); return }
    }
}
