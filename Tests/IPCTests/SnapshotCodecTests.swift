import Glibc
import IPC
import ShadowCore
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

    @Test func emptySnapshotIsJustTheHeader() throws {
        let bytes = try SnapshotCodec.encode([])
        #expect(bytes.count == 16)
        #expect(try bytes.withUnsafeBytes { try SnapshotCodec.decode($0) } == [])
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
        #expect(throws: SnapshotError.trailingBytes(1)) { try (bytes + [0]).withUnsafeBytes { try SnapshotCodec.decode($0) } }
        #expect(throws: SnapshotError.self) { try Array(bytes.dropLast()).withUnsafeBytes { try SnapshotCodec.decode($0) } }
        var magic = bytes
        magic[0] ^= 0xFF
        #expect(throws: SnapshotError.badMagic) { try magic.withUnsafeBytes { try SnapshotCodec.decode($0) } }
        var version = bytes
        version[8] = 2
        #expect(throws: SnapshotError.unsupportedVersion(2)) { try version.withUnsafeBytes { try SnapshotCodec.decode($0) } }
        var flags = bytes
        flags[17] = 0x80  // an undefined presence bit in record 0
        #expect(throws: SnapshotError.invalidField(record: 0, field: "flags", offset: 16)) {
            try flags.withUnsafeBytes { try SnapshotCodec.decode($0) }
        }
        var prefix = bytes
        prefix[16 + 2 + 4 + 16 + 16] = 129  // ipv6_pd length of record 0
        #expect(throws: SnapshotError.invalidField(record: 0, field: "ipv6_pd length", offset: 54)) {
            try prefix.withUnsafeBytes { try SnapshotCodec.decode($0) }
        }
        var hugeCount = bytes
        hugeCount[12] = 0xFF; hugeCount[13] = 0xFF; hugeCount[14] = 0xFF
        #expect(throws: SnapshotError.self) { try hugeCount.withUnsafeBytes { try SnapshotCodec.decode($0) } }
    }

    @Test func unencodableReservationIsReported() {
        let long = Reservation(ipv4: .any, ipv6NA: .any, ipv6PD: IPv6Prefix(address: .any, prefixLength: 0),
                               option82: Option82(circuit: String(repeating: "x", count: 70_000)))
        #expect(throws: SnapshotError.unencodable(record: 0, field: "option82 circuit")) {
            _ = try SnapshotCodec.encode([long])
        }
    }

    @Test func digestIsStableAndSensitive() {
        let a: [UInt8] = Array(0..<100)
        #expect(SnapshotDigest.compute(a) == SnapshotDigest.compute(a))
        for i in [0, 7, 8, 63, 99] {
            var b = a
            b[i] ^= 0x80
            #expect(SnapshotDigest.compute(b) != SnapshotDigest.compute(a))
        }
        #expect(SnapshotDigest.compute(a + [0]) != SnapshotDigest.compute(a))
    }

    /// Throughput: `SHADOW_BENCH=1 swift test -c release --filter snapshotThroughput`.
    /// Prints wall-clock and CPU time (the machine is shared, so wall time varies with load).
    @Test(.enabled(if: getenv("SHADOW_BENCH") != nil, "set SHADOW_BENCH=1 to measure"))
    func snapshotThroughput() throws {
        let reservations = Samples.reservations(1_000_000)
        var bytes: [UInt8] = []
        let encode = try Self.measure { bytes = try SnapshotCodec.encode(reservations) }
        var announcement = SnapshotAnnouncement(snapshotGeneration: 0, byteCount: 0, digest: 0, reservationCount: 0)
        let digest = Self.measure { announcement = Self.announced(bytes, count: reservations.count) }
        var decoded: [Reservation] = []
        let decode = try Self.measure {
            decoded = try bytes.withUnsafeBytes { try SnapshotCodec.decode($0, announcement: announcement) }
        }
        print("snapshot 1M: \(bytes.count) bytes; encode \(encode); digest \(digest); decode+verify \(decode)")
        #expect(decoded.count == reservations.count)
        #expect(decoded == reservations)
    }

    /// "wall X ms, cpu Y ms" for `body`.
    static func measure(_ body: () throws -> Void) rethrows -> String {
        func cpu() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
            return Double(t.tv_sec) * 1000 + Double(t.tv_nsec) / 1e6
        }
        let clock = ContinuousClock()
        let cpuStart = cpu()
        let wall = try clock.measure(body)
        let ms = Double(wall.components.seconds) * 1000 + Double(wall.components.attoseconds) / 1e15
        return "wall \(Int(ms)) ms, cpu \(Int(cpu() - cpuStart)) ms"
    }
}
