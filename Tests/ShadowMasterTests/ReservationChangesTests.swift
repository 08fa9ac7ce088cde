import Glibc
import IPC
import ShadowCore
import ShadowSystem
import SystemPackage
import Testing
@testable import ShadowMaster

/// The master's side of a commit of per-reservation changes: what ends up in `reservations.json`
/// and in the next snapshot, and what it refuses from ops.
@Suite struct ReservationChangesTests {
    static func entry(_ n: UInt32) -> Reservation {
        Reservation(ipv4: IPv4Address(0xC000_0200 + n), ipv6NA: IPv6Address(high: 0x2001_0DB8_0000_0000, low: UInt64(n)),
                    ipv6PD: IPv6Prefix(address: IPv6Address(high: 0x2001_0DB8_0100_0000 + UInt64(n) << 8, low: 0),
                                       prefixLength: 56),
                    mac: MACAddress(value: 0x0011_2233_0000 + UInt64(n)))
    }

    static let subnets = [SubnetV4(net: IPv4Network("192.0.2.0/24")!, gateway: IPv4Address("192.0.2.1")!)]

    /// A state directory with `reservations.json` holding `reservations`, and the master's side.
    struct Fixture: ~Copyable {
        let directory: String
        let path: String
        let changes: ReservationChanges
        var live: ReservationSnapshot

        init(_ reservations: [Reservation], generation: UInt64) throws {
            var template = Array("/tmp/shadow-changes-test-XXXXXX".utf8CString)
            directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
            path = directory + "/reservations.json"
            try AtomicFile.write(ReservationPersistence.persistedBytes(reservations), to: path)
            changes = ReservationChanges(path: path, subnets: ReservationChangesTests.subnets)
            live = ReservationSnapshot(reservations: reservations, generation: generation)
        }

        deinit {
            unlink(path)
            rmdir(directory)
        }

        var file: [UInt8] { (try? FileBytes.read(path)) ?? [] }

        /// Sends `changes` as ops does (a sealed memfd), on top of `base`; a committed snapshot becomes live.
        mutating func commit(_ list: [ResolvedChange], base: UInt64, digest: UInt64? = nil,
                             count: Int? = nil) throws -> ReservationChanges.Outcome {
            let bytes = ChangeSetCodec.encode(list)
            let fd = try SealedMemoryFile.create(name: "test-changes", byteCount: bytes.count) { $0.copyBytes(from: bytes) }
            defer { try? fd.close() }
            let request = ChangesRequest(requestID: 1, baseGeneration: base, byteCount: UInt64(bytes.count),
                                         digest: digest ?? SnapshotDigest.compute(bytes),
                                         changeCount: UInt32(count ?? list.count))
            let outcome = changes.commit(request, descriptor: fd, live: live, generation: live.generation)
            if case .committed(let prepared, _, _, _, _) = outcome {
                live = prepared.view
                prepared.discard()
            }
            return outcome
        }
    }

    @Test func committedChangesAreOnDiskAndInTheNextSnapshot() throws {
        let base = (10..<20).map { Self.entry($0) }
        var f = try Fixture(base, generation: 5)
        var moved = Self.entry(12)
        moved.ipv4 = IPv4Address("192.0.2.200")!
        let outcome = try f.commit([.add(Self.entry(30)), .replace(Self.entry(12).ipv4, moved), .delete(Self.entry(15).ipv4)],
                                   base: 5)
        guard case .committed(_, let count, _, _, _) = outcome else { Issue.record("\(outcome)"); return }
        #expect(count == 10 && f.live.generation == 6)
        var expected = Set(base)
        expected.subtract([Self.entry(12), Self.entry(15)])
        expected.formUnion([Self.entry(30), moved])
        #expect(Set(f.live.allReservations) == expected)
        // The file is the snapshot's set, formatted exactly as a whole-file write would.
        #expect(f.file == ReservationPersistence.persistedBytes(f.live.allReservations))
        // The next commit starts from the working copy (unchanged entries' text copied).
        guard case .committed = try f.commit([.delete(Self.entry(30).ipv4)], base: 6) else { Issue.record("refused"); return }
        expected.remove(Self.entry(30))
        #expect(Set(f.live.allReservations) == expected && f.live.generation == 7)
        #expect(f.file == ReservationPersistence.persistedBytes(f.live.allReservations))
    }

    /// The working copy a start, reload or replace prepares in the background is the one the
    /// first commit on that generation uses; later commits keep theirs; a copy prepared for a
    /// generation that is no longer live is not used.
    @Test func theFirstCommitUsesTheCopyPreparedWhenTheGenerationBecameLive() throws {
        let base = (10..<20).map { Self.entry($0) }
        var f = try Fixture(base, generation: 5)
        f.changes.prepare(f.live)
        guard case .committed(_, _, let first, _, _) = try f.commit([.add(Self.entry(30))], base: 5) else {
            Issue.record("refused"); return
        }
        guard case .committed(_, _, let second, _, _) = try f.commit([.delete(Self.entry(11).ipv4)], base: 6) else {
            Issue.record("refused"); return
        }
        #expect(first == .prepared && second == .kept)
        #expect(f.file == ReservationPersistence.persistedBytes(f.live.allReservations))
        #expect(Set(f.live.allReservations) == Set(base).subtracting([Self.entry(11)]).union([Self.entry(30)]))
        // Prepared, then dropped (another set became live): built at the commit.
        f.changes.prepare(f.live)
        f.changes.forget()
        guard case .committed(_, _, let third, _, _) = try f.commit([.delete(Self.entry(12).ipv4)], base: 7) else {
            Issue.record("refused"); return
        }
        #expect(third == .built)
        #expect(f.file == ReservationPersistence.persistedBytes(f.live.allReservations))
    }

    @Test func aStaleBaseChangesNothing() throws {
        var f = try Fixture([Self.entry(1)], generation: 3)
        let before = f.file
        guard case .stale = try f.commit([.add(Self.entry(2))], base: 2) else { Issue.record("not stale"); return }
        #expect(f.file == before && f.live.generation == 3)
    }

    /// What a correct ops never sends is refused (the master then kills ops) and changes nothing;
    /// a good commit afterwards still applies to the set as it was.
    @Test func badChangesAreRefusedAndChangeNothing() throws {
        var f = try Fixture([Self.entry(1), Self.entry(2)], generation: 1)
        let before = f.file
        var outside = Self.entry(3)
        outside.ipv4 = IPv4Address("198.51.100.3")!
        var keyless = Self.entry(4)
        keyless.mac = nil
        var hostBits = Self.entry(5)
        hostBits.ipv6PD = IPv6Prefix(address: IPv6Address(high: 0x2001_0DB8_0100_0501, low: 0), prefixLength: 56)
        var taken = Self.entry(6)
        taken.mac = Self.entry(1).mac
        let cases: [([ResolvedChange], String)] = [
            ([.add(outside)], "reservations that do not validate: changes[0].ipv4: 198.51.100.3 is not inside any subnets_v4 net"),
            ([.add(keyless)], "reservations that do not validate: changes[0]: no key"),
            ([.add(hostBits)], "reservations that do not validate: changes[0].ipv6_pd:"),
            ([.add(Self.entry(7)), .add(taken)], "changes that do not apply to the live set: changes[1].mac: 00-11-22-33-00-01 already used"),
            ([.delete(IPv4Address("192.0.2.99")!)], "changes that do not apply to the live set: changes[0].ipv4: no reservation has 192.0.2.99"),
        ]
        for (list, why) in cases {
            let outcome = try f.commit(list, base: 1)
            guard case .refused(let text) = outcome else { Issue.record("accepted \(list)"); continue }
            #expect(text.hasPrefix(why), "\(text)")
        }
        guard case .refused(let digest) = try f.commit([.add(Self.entry(8))], base: 1, digest: 1) else {
            Issue.record("a wrong digest accepted"); return
        }
        #expect(digest == "digest mismatch")
        guard case .refused(let count) = try f.commit([.add(Self.entry(8))], base: 1, count: 2) else {
            Issue.record("a wrong count accepted"); return
        }
        #expect(count.hasPrefix("unusable changes:"))
        #expect(f.file == before && f.live.generation == 1)
        guard case .committed = try f.commit([.add(Self.entry(7))], base: 1) else { Issue.record("refused"); return }
        #expect(Set(f.live.allReservations) == [Self.entry(1), Self.entry(2), Self.entry(7)])
        #expect(f.file == ReservationPersistence.persistedBytes(f.live.allReservations))
    }
}
