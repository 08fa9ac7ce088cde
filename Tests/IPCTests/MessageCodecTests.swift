import IPC
import ShadowCore
import Testing

@Suite struct MessageCodecTests {
    static let cases = Samples.messages.map { SampleCase(message: $0.0, direction: $0.1) }

    struct SampleCase: Sendable, CustomTestStringConvertible {
        var message: IPCMessage
        var direction: Direction
        var testDescription: String { "\(message.type) on \(direction)" }
    }

    @Test(arguments: cases)
    func roundTrip(_ c: SampleCase) throws {
        let bytes = try IPCCodec.encode(c.message, generation: 77, direction: c.direction)
        let frame = try IPCCodec.decode(bytes, direction: c.direction, hasDescriptor: c.message.type.carriesDescriptor)
        #expect(frame.message == c.message)
        #expect(frame.generation == 77)
        #expect(frame.header.type == c.message.type)
        #expect(Int(frame.header.payloadLength) == bytes.count - IPCHeader.size)
    }

    @Test func headerIsLittleEndian() throws {
        let bytes = try IPCCodec.encode(.bindingRemove(Samples.mac), generation: 0x0102_0304_0506_0708,
                                        direction: .masterToV6)
        #expect(Array(bytes[0..<16]) == [8, 0, 0, 0, 6, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1])
        #expect(Array(bytes[16...]) == [0x00, 0x11, 0x22, 0x33, 0x44, 0x55])
        let ready = try IPCCodec.encode(.ready(ReadyMessage(pid: 0x0102_0304, uid: 5, gid: 6, workerGeneration: 7)),
                                        generation: 0, direction: .v4ToMaster)
        #expect(Array(ready[16..<20]) == [4, 3, 2, 1])
        #expect(ready.count == 16 + 20)
    }

    /// Every type is either allowed in a direction (round trip) or refused on both sides.
    @Test(arguments: Direction.allCases)
    func permissionTableIsEnforced(_ direction: Direction) throws {
        for (message, allowedIn) in Samples.messages {
            let type = message.type
            let bytes = try IPCCodec.encode(message, generation: 1, direction: allowedIn)
            if direction.allows(type) {
                #expect(throws: Never.self) {
                    try IPCCodec.decode(bytes, direction: direction, hasDescriptor: type.carriesDescriptor)
                }
            } else {
                #expect(throws: IPCError.forbidden(type, direction)) {
                    try IPCCodec.decode(bytes, direction: direction, hasDescriptor: type.carriesDescriptor)
                }
                #expect(throws: IPCError.forbidden(type, direction)) {
                    try IPCCodec.encode(message, generation: 1, direction: direction)
                }
            }
        }
    }

    @Test func permissionTableMatchesTheDesign() {
        #expect(Direction.masterToV4.allowedTypes == [.shutdown, .configure, .snapshot, .shares, .lastServedQuery,
                                                     .rateLimits])
        #expect(Direction.masterToV6.allows(.rateLimits) && !Direction.masterToOps.allows(.rateLimits))
        #expect(!Direction.v4ToMaster.allows(.configure) && !Direction.v6ToMaster.allows(.configure))
        #expect(!Direction.masterToV4.allows(.bindingUpdate))
        #expect(Direction.v4ToMaster.allows(.bindingLearned))
        #expect(!Direction.v6ToMaster.allows(.bindingLearned))
        #expect(!Direction.v4ToMaster.allows(.shutdown))
        for type in MessageType.allCases {
            #expect(Direction.allCases.contains { $0.allows(type) }, "\(type) has no direction")
        }
    }
}
