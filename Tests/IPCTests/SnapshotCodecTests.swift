import IPC
import ShadowCore
import ShadowSystem
import Testing

@Suite struct SnapshotCodecTests {
    @Test func roundTripKeepsEveryField() throws {
        var reservations = Samples.reservations(1000)
        reservations.append(Reservation(ipv4: .any, ipv6NA: .any, ipv6PD: IPv6Prefix(address: .any, prefixLength: 0),
                                        option82: Option82(circuit: "", remote: nil, subscriber: "ß"),
                                        option1837: Option1837(interface: nil, remote: nil, enterpriseNumber: 0)))
        let bytes = try SnapshotCodec.encode(reservations)
        #expect(bytes.count == (try SnapshotCodec.encodedByteCount(of: reservations)))
        let announcement = bytes.withUnsafeBytes {
            SnapshotCodec.announcement(for: $0, snapshotGeneration: 2, reservationCount: reservations.count)
        }
        let decoded = try bytes.withUnsafeBytes { try SnapshotCodec.decode($0, announcement: announcement) }
        #expect(decoded == reservations)
    }

    @Test func emptySnapshotIsTheHeaderAndTwoEmptyOptionSets() throws {
        let bytes = try SnapshotCodec.encode([])
        #expect(bytes.count == SnapshotLayout.headerSize + 8 + 2 * 8)
        #expect(try bytes.withUnsafeBytes { try SnapshotCodec.decode($0) } == [])
    }

    @Test func openedSnapshotAnswersFromTheBytesInPlace() throws {
        let reservations = Samples.reservations(400)
        let bytes = try SnapshotCodec.encode(reservations)
        let announcement = Self.announced(bytes, count: reservations.count)
        try bytes.withUnsafeBytes { raw in
            let snapshot = try SnapshotCodec.open(raw, announcement: announcement, owner: nil)
            #expect(snapshot.generation == 1)
            #expect(snapshot.bytes.baseAddress == raw.baseAddress)
            for (i, r) in reservations.enumerated() {
                if let mac = r.mac { #expect(snapshot.index(mac: mac) == i) }
                if let duid = r.duid { #expect(snapshot.index(duid: duid) == i) }
                if let o = r.option82 { #expect(snapshot.index(option82: o) == i) }
                if let o = r.option1837 { #expect(snapshot.index(option1837: o) == i) }
            }
        }
    }

    static func announced(_ bytes: [UInt8], count: Int) -> SnapshotAnnouncement {
        bytes.withUnsafeBytes { SnapshotCodec.announcement(for: $0, snapshotGeneration: 1, reservationCount: count) }
    }

    @Test func corruptionIsCaughtByTheDigest() throws {
        let reservations = Samples.reservations(50)
        var bytes = try SnapshotCodec.encode(reservations)
        let announcement = Self.announced(bytes, count: 50)
        bytes[bytes.count / 2] ^= 0x01
        #expect(throws: SnapshotError.self) {
            try bytes.withUnsafeBytes { try SnapshotCodec.decode($0, announcement: announcement) }
        }
        var wrongDigest = Self.announced(try SnapshotCodec.encode(reservations), count: 50)
        wrongDigest.digest ^= 1
        let good = try SnapshotCodec.encode(reservations)
        #expect(throws: SnapshotError.digestMismatch(expected: wrongDigest.digest, actual: announcement.digest)) {
            try good.withUnsafeBytes { try SnapshotCodec.decode($0, announcement: wrongDigest) }
        }
    }

    @Test func lengthAndCountMustMatchTheAnnouncement() throws {
        let bytes = try SnapshotCodec.encode(Samples.reservations(3))
        let announcement = Self.announced(bytes, count: 3)
        #expect(throws: SnapshotError.lengthMismatch(expected: UInt64(bytes.count), actual: bytes.count - 1)) {
            try Array(bytes.dropLast()).withUnsafeBytes { try SnapshotCodec.decode($0, announcement: announcement) }
        }
        let wrongCount = Self.announced(bytes, count: 4)
        #expect(throws: SnapshotError.countMismatch(expected: 4, actual: 3)) {
            try bytes.withUnsafeBytes { try SnapshotCodec.decode($0, announcement: wrongCount) }
        }
    }

    @Test func structuralDefectsAreErrors() throws {
        let bytes = try SnapshotCodec.encode(Samples.reservations(3))
        func decode(_ b: [UInt8]) throws { _ = try b.withUnsafeBytes { try SnapshotCodec.decode($0) } }
        #expect(throws: SnapshotError.format(.sizeMismatch(expected: bytes.count, actual: bytes.count + 1))) { try decode(bytes + [0]) }
        #expect(throws: SnapshotError.self) { try decode(Array(bytes.dropLast())) }
        var magic = bytes
        magic[0] ^= 0xFF
        #expect(throws: SnapshotError.format(.badMagic)) { try decode(magic) }
        var version = bytes
        version[8] = 1
        #expect(throws: SnapshotError.format(.unsupportedVersion(1))) { try decode(version) }
        let record0 = SnapshotLayout.headerSize
        var flags = bytes
        flags[record0 + 5] = 0x80  // an undefined presence bit in record 0
        #expect(throws: SnapshotError.format(.invalidRecord(record: 0, field: "flags", offset: record0 + 4))) { try decode(flags) }
        var prefix = bytes
        prefix[record0 + 6] = 129  // ipv6_pd length of record 0
        #expect(throws: SnapshotError.format(.invalidRecord(record: 0, field: "ipv6_pd length", offset: record0 + 6))) {
            try decode(prefix)
        }
        var hugeCount = bytes
        hugeCount[12] = 0xFF; hugeCount[13] = 0xFF; hugeCount[14] = 0xFF
        #expect(throws: SnapshotError.self) { try decode(hugeCount) }
    }

    /// Any single corrupted byte (the digest aside) is refused or leaves a snapshot whose lookups
    /// stay inside the bytes: nothing a worker is handed can make it read out of bounds or loop.
    @Test func everySingleByteCorruptionIsRefusedOrHarmless() throws {
        let reservations = Samples.reservations(24)
        let bytes = try SnapshotCodec.encode(reservations)
        var refused = 0
        for position in bytes.indices {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var b = bytes
                b[position] ^= flip
                b.withUnsafeBytes { raw in
                    guard let s = try? ReservationSnapshot(validating: raw, owner: nil, generation: 0) else {
                        refused += 1
                        return
                    }
                    for r in reservations {
                        _ = r.mac.map { s.index(mac: $0) }
                        _ = r.duid.map { s.index(duid: $0) }
                        _ = r.option82.map { s.index(option82: $0) }
                        _ = r.option1837.map { s.index(option1837: $0) }
                    }
                    _ = s.allReservations
                }
            }
        }
        #expect(refused > bytes.count)
    }

    @Test func longKeysRoundTrip() throws {
        let long = Reservation(ipv4: .any, ipv6NA: .any, ipv6PD: IPv6Prefix(address: .any, prefixLength: 0),
                               option82: Option82(circuit: String(repeating: "x", count: 70_000)))
        let bytes = try SnapshotCodec.encode([long])
        #expect(try bytes.withUnsafeBytes { try SnapshotCodec.decode($0) } == [long])
    }

    @Test func digestIsStableAndSensitive() {
        let a: [UInt8] = Array(0..<100)
        #expect(SnapshotDigest.compute(a) == SnapshotDigest.compute(a))
        for i in a.indices {
            var b = a
            b[i] ^= 0x80
            #expect(SnapshotDigest.compute(b) != SnapshotDigest.compute(a))
        }
        #expect(SnapshotDigest.compute(a + [0]) != SnapshotDigest.compute(a))
    }

    /// docs/ipc.md's description, written the plain way: word `i` (little-endian, the last one
    /// zero-padded) into lane `i % 4`, lane `k` starting at the offset basis + k, then the lanes
    /// and the length folded into lane 0's state.
    static func describedDigest(_ bytes: [UInt8]) -> UInt64 {
        func step(_ h: UInt64, _ w: UInt64) -> UInt64 {
            let m = (h ^ w) &* 0x0000_0100_0000_01B3
            return m ^ (m >> 32)
        }
        var lanes = (0..<4).map { 0xCBF2_9CE4_8422_2325 &+ UInt64($0) }
        for (i, start) in stride(from: 0, to: bytes.count, by: 8).enumerated() {
            var w: UInt64 = 0
            for (j, b) in bytes[start..<min(start + 8, bytes.count)].enumerated() { w |= UInt64(b) << (8 * UInt64(j)) }
            lanes[i % 4] = step(lanes[i % 4], w)
        }
        return step(step(step(step(lanes[0], lanes[1]), lanes[2]), lanes[3]), UInt64(bytes.count))
    }

    @Test func digestIsTheDocumentedOneForEveryLength() {
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 167 &+ 13) }
        for n in 0...bytes.count {
            #expect(SnapshotDigest.compute(Array(bytes.prefix(n))) == Self.describedDigest(Array(bytes.prefix(n))))
        }
    }

    /// Throughput: `SHADOW_BENCH=1 swift test -c release --filter snapshotThroughput`.
    /// Prints wall-clock and CPU time (the machine is shared, so wall time varies with load).
    @Test(.enabled(if: CurrentProcess.environment("SHADOW_BENCH") != nil, "set SHADOW_BENCH=1 to measure"))
    func snapshotThroughput() throws {
        let reservations = Samples.reservations(1_000_000)
        var bytes: [UInt8] = []
        let encode = try Self.measure { bytes = try SnapshotCodec.encode(reservations) }
        var announcement = SnapshotAnnouncement(snapshotGeneration: 0, byteCount: 0, digest: 0, reservationCount: 0)
        let digest = Self.measure { announcement = Self.announced(bytes, count: reservations.count) }
        var opened = 0
        let open = try Self.measure {
            opened = try bytes.withUnsafeBytes { try SnapshotCodec.open($0, announcement: announcement, owner: nil).count }
        }
        print("snapshot 1M: \(bytes.count) bytes; encode \(encode); digest \(digest); open (digest + check) \(open)")
        #expect(opened == reservations.count)
    }

    /// "wall X ms, cpu Y ms" for `body`.
    static func measure(_ body: () throws -> Void) rethrows -> String {
        func cpu() -> Double { Double(Clocks.processCPUNanoseconds()) / 1e6 }
        let clock = ContinuousClock()
        let cpuStart = cpu()
        let wall = try clock.measure(body)
        let ms = Double(wall.components.seconds) * 1000 + Double(wall.components.attoseconds) / 1e15
        return "wall \(Int(ms)) ms, cpu \(Int(cpu() - cpuStart)) ms"
    }
}
