import IPC
import ShadowCore
import Testing

@Suite struct StrictDecodingTests {
    /// Re-frames `payload` under a valid header for `type` (length field matching).
    static func frame(_ type: MessageType, _ payload: [UInt8], flags: UInt16 = 0) -> [UInt8] {
        var w = ByteWriter()
        w.u16(type.rawValue); w.u16(flags); w.u32(UInt32(payload.count)); w.u64(1)
        w.raw(payload)
        return w.bytes
    }

    static func payload(of message: IPCMessage, _ direction: Direction) throws -> [UInt8] {
        Array(try IPCCodec.encode(message, generation: 1, direction: direction)[IPCHeader.size...])
    }

    @Test(arguments: MessageCodecTests.cases)
    func trailingAndMissingBytesAreErrors(_ c: MessageCodecTests.SampleCase) throws {
        let type = c.message.type
        let fd = type.carriesDescriptor
        let payload = try Self.payload(of: c.message, c.direction)
        // An event is the rest of the message: it cannot have trailing or missing bytes.
        guard type != .event else { return }
        #expect(throws: IPCError.trailingBytes(type, count: 1)) {
            try IPCCodec.decode(Self.frame(type, payload + [0]), direction: c.direction, hasDescriptor: fd)
        }
        if !payload.isEmpty {
            #expect(throws: IPCError.self) {
                try IPCCodec.decode(Self.frame(type, Array(payload.dropLast())), direction: c.direction, hasDescriptor: fd)
            }
        }
    }

    @Test func truncatedFixedPayloadNamesTheOffset() {
        let short = Self.frame(.ready, [1, 0, 0, 0, 2, 0, 0, 0])
        #expect(throws: IPCError.truncatedPayload(.ready, offset: 8, needed: 4)) {
            try IPCCodec.decode(short, direction: .v4ToMaster, hasDescriptor: false)
        }
    }

    @Test func headerDefectsAreErrors() throws {
        let good = try IPCCodec.encode(.shutdown, generation: 1, direction: .masterToV4)
        #expect(throws: IPCError.shortHeader(count: 15)) {
            try IPCCodec.decode(Array(good.prefix(15)), direction: .masterToV4, hasDescriptor: false)
        }
        #expect(throws: IPCError.lengthMismatch(declared: 0, actual: 1)) {
            try IPCCodec.decode(good + [0], direction: .masterToV4, hasDescriptor: false)
        }
        #expect(throws: IPCError.reservedFlags(1)) {
            try IPCCodec.decode(Self.frame(.shutdown, [], flags: 1), direction: .masterToV4, hasDescriptor: false)
        }
        var unknown = good
        unknown[0] = 0xFF
        #expect(throws: IPCError.unknownType(0xFF)) {
            try IPCCodec.decode(unknown, direction: .masterToV4, hasDescriptor: false)
        }
    }

    @Test func oversizeIsRefusedBothWays() throws {
        let limit = IPCLimits.maximumMessageSize
        let big = IPCMessage.event(Array(repeating: UInt8(ascii: "x"), count: limit - IPCHeader.size + 1))
        #expect(throws: IPCError.oversize(size: limit + 1, limit: limit)) {
            try IPCCodec.encode(big, generation: 1, direction: .v4ToMaster)
        }
        let fits = IPCMessage.event(Array(repeating: UInt8(ascii: "x"), count: limit - IPCHeader.size))
        #expect(try IPCCodec.encode(fits, generation: 1, direction: .v4ToMaster).count == limit)
        let raw = Self.frame(.event, Array(repeating: UInt8(ascii: "x"), count: 200))
        #expect(throws: IPCError.oversize(size: 216, limit: 100)) {
            try IPCCodec.decode(raw, direction: .v4ToMaster, hasDescriptor: false, maximumSize: 100)
        }
    }

    @Test func descriptorMustComeWithSnapshotsOnly() throws {
        let snapshot = try IPCCodec.encode(.snapshot(SnapshotAnnouncement(snapshotGeneration: 1, byteCount: 16, digest: 0,
                                                                           reservationCount: 0)),
                                           generation: 1, direction: .masterToV4)
        #expect(throws: IPCError.descriptorMismatch(.snapshot, attached: false)) {
            try IPCCodec.decode(snapshot, direction: .masterToV4, hasDescriptor: false)
        }
        let shutdown = try IPCCodec.encode(.shutdown, generation: 1, direction: .masterToV4)
        #expect(throws: IPCError.descriptorMismatch(.shutdown, attached: true)) {
            try IPCCodec.decode(shutdown, direction: .masterToV4, hasDescriptor: true)
        }
    }

    @Test func invalidFieldValuesAreErrors() {
        let d = Direction.v4ToMaster
        #expect(throws: IPCError.invalidField(.event, field: "event", offset: 0)) {
            try IPCCodec.decode(Self.frame(.event, [0xFF, 0xFE]), direction: d, hasDescriptor: false)
        }
        #expect(throws: IPCError.invalidField(.event, field: "event", offset: 0)) {
            try IPCCodec.decode(Self.frame(.event, []), direction: d, hasDescriptor: false)
        }
        #expect(throws: IPCError.invalidField(.counters, field: "counter name", offset: 2)) {
            try IPCCodec.decode(Self.frame(.counters, [1, 0, 1, 0x20, 0, 0, 0, 0, 0, 0, 0, 0]), direction: d,
                                hasDescriptor: false)
        }
        #expect(throws: IPCError.invalidField(.bindingLearned, field: "option82 presence", offset: 6)) {
            try IPCCodec.decode(Self.frame(.bindingLearned, [0, 1, 2, 3, 4, 5, 0x08]), direction: d, hasDescriptor: false)
        }
        #expect(throws: IPCError.invalidField(.bindingLearned, field: "option82 circuit", offset: 7)) {
            try IPCCodec.decode(Self.frame(.bindingLearned, [0, 1, 2, 3, 4, 5, 0x01, 1, 0, 0xC3]), direction: d,
                                hasDescriptor: false)
        }
        #expect(throws: IPCError.invalidField(.snapshotRejected, field: "reason", offset: 8)) {
            try IPCCodec.decode(Self.frame(.snapshotRejected, [1, 0, 0, 0, 0, 0, 0, 0, 99, 0]), direction: d,
                                hasDescriptor: false)
        }
    }

    @Test func rateLimitsAboveTheMaximumAreErrors() throws {
        let d = Direction.masterToV4
        // 1,000,001 = 0x000F4241 (little-endian on the wire).
        #expect(throws: IPCError.invalidField(.rateLimits, field: "per_client_per_s", offset: 0)) {
            try IPCCodec.decode(Self.frame(.rateLimits, [0x41, 0x42, 0x0F, 0, 0, 0, 0, 0]), direction: d, hasDescriptor: false)
        }
        #expect(throws: IPCError.invalidField(.rateLimits, field: "per_relay_per_s", offset: 4)) {
            try IPCCodec.decode(Self.frame(.rateLimits, [10, 0, 0, 0, 0x41, 0x42, 0x0F, 0]), direction: d, hasDescriptor: false)
        }
        let frame = try IPCCodec.decode(Self.frame(.rateLimits, [0x40, 0x42, 0x0F, 0, 0, 0, 0, 0]), direction: d,
                                        hasDescriptor: false)
        #expect(frame.message == .rateLimits(RateLimitSettings(perClientPerSecond: 1_000_000, perRelayPerSecond: 0)))
        #expect(throws: IPCError.invalidField(.rateLimits, field: "per_relay_per_s", offset: 4)) {
            try IPCCodec.encode(.rateLimits(RateLimitSettings(perClientPerSecond: 1, perRelayPerSecond: -1)),
                                generation: 1, direction: d)
        }
    }

    @Test func errorsDescribeThemselvesForTheLog() {
        let e = IPCError.forbidden(.bindingLearned, .v6ToMaster)
        #expect(e.description == "IPC message binding-learned is not allowed on v6->master")
    }
}

@Suite struct EncoderValidationTests {
    @Test func senderRefusesWhatTheReceiverWould() {
        #expect(throws: IPCError.invalidField(.event, field: "event", offset: 0)) {
            try IPCCodec.encode(.event([]), generation: 1, direction: .v4ToMaster)
        }
        #expect(throws: IPCError.invalidField(.event, field: "event", offset: 0)) {
            try IPCCodec.encode(.event([0xC3]), generation: 1, direction: .v4ToMaster)
        }
        #expect(throws: IPCError.invalidField(.counters, field: "counter name", offset: 0)) {
            try IPCCodec.encode(.counters([Counter(name: "has space", value: 1)]), generation: 1, direction: .v4ToMaster)
        }
        #expect(throws: IPCError.invalidField(.counters, field: "counter name", offset: 0)) {
            try IPCCodec.encode(.counters([Counter(name: "", value: 1)]), generation: 1, direction: .v4ToMaster)
        }
        let huge = Option82(circuit: String(repeating: "c", count: 70_000))
        #expect(throws: IPCError.invalidField(.bindingLearned, field: "option82", offset: 0)) {
            try IPCCodec.encode(.bindingLearned(BindingLearned(mac: Samples.mac, option82: huge)), generation: 1,
                                direction: .v4ToMaster)
        }
    }
}
