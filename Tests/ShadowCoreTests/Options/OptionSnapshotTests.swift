import Testing
@testable import ShadowCore

/// Option sets in the snapshot image (interned, indexed per record, checked when opened) and in
/// the persisted reservations.json.
@Suite("Options: snapshot and persistence")
struct OptionSnapshotTests {
    static let text = array(
        entry(1, #""mac": "00-00-00-00-00-01", "v4_lease_time": 86400, "options_v4": {"domain_search": ["a.example", "b.a.example"], "classless_routes": [{"net": "10.0.0.0/8", "router": "198.51.100.254"}], "custom": [{"code": 224, "hex": "0102"}], "always_send": ["domain_search", 224]}"#),
        entry(2, #""mac": "00-00-00-00-00-02", "options_v6": {"ntp_servers": ["2001:db8::123"], "vendor_opts": [{"enterprise": 3561, "hex": "0001"}], "aftr_name": "aftr.example"}, "v6_lease_time": 7200"#),
        entry(3, #""mac": "00-00-00-00-00-03""#),
        entry(4, #""mac": "00-00-00-00-00-04", "v4_lease_time": 86400, "options_v4": {"classless_routes": [{"net": "10.0.0.0/8", "router": "198.51.100.254"}], "domain_search": ["a.example", "b.a.example"], "custom": [{"code": 224, "hex": "01:02"}], "always_send": [224, "domain_search"]}"#))

    static func loaded() throws -> [Reservation] { try loadReservations(text).get().value }

    @Test func equalSetsAreStoredOnceAndReadBack() throws {
        let rs = try Self.loaded()
        let snapshot = ReservationSnapshot(reservations: rs)
        #expect(snapshot.distinctOptionSets == (v4: 1, v6: 1))
        for i in rs.indices {
            #expect(snapshot.optionsV4(at: i) == rs[i].optionsV4)
            #expect(snapshot.optionsV6(at: i) == rs[i].optionsV6)
        }
        #expect(snapshot.optionsV4(at: 2) == .empty)
        #expect(snapshot.allReservations == rs)
        let bytes = Array(snapshot.bytes)
        #expect(try bytes.withUnsafeBytes { try ReservationSnapshot(validating: $0, owner: nil, generation: 0).allReservations } == rs)
    }

    @Test func aSnapshotWithoutOptionsHasTwoEmptySets() {
        let snapshot = ReservationSnapshot(reservations: [])
        #expect(snapshot.distinctOptionSets == (v4: 0, v6: 0))
        #expect(snapshot.bytes.count == SnapshotLayout.headerSize + 8 + 16)
    }

    /// Every byte of the option section and the record indexes is checked before use.
    @Test func corruptOptionBytesAreRefused() throws {
        let rs = try Self.loaded()
        let snapshot = ReservationSnapshot(reservations: rs)
        let good = withExtendedLifetime(snapshot) { Array(snapshot.bytes) }
        let optionsStart = SnapshotLayout.headerSize + rs.count * SnapshotLayout.recordSize  // no key blob: MACs only
        func refused(_ change: (inout [UInt8]) -> Void) -> SnapshotFormatError? {
            var b = good
            change(&b)
            do {
                _ = try b.withUnsafeBytes { try ReservationSnapshot(validating: $0, owner: nil, generation: 0) }
                return nil
            } catch let e as SnapshotFormatError { return e } catch { return nil }
        }
        // A record pointing past the sets.
        #expect(refused { $0[SnapshotLayout.headerSize + SnapshotLayout.Record.optionsV4] = 2 }
                == .invalidRecord(record: 0, field: "options_v4 set", offset: SnapshotLayout.headerSize + 56))
        // More sets announced than the section can hold.
        #expect(refused { $0[optionsStart] = 200 } == .invalidOptions(field: "set counts", offset: optionsStart))
        // The first entry of v4 set 1 (after set 0's 8 bytes and set 1's header) turned into code 53.
        let firstEntry = optionsStart + 8 + 8 + 8
        if case .invalidOptions(let field, _)? = refused({ $0[firstEntry] = 53 }) {
            #expect(field.contains("may not be configured") || field == "option entry")
        } else { Issue.record("code 53 accepted") }
        // An entry length running past the section.
        #expect(refused { $0[firstEntry + 5] = 0xFF } != nil)
        // A lease-time flag that is neither 0 nor 1.
        #expect(refused { $0[optionsStart + 16] = 2 } == .invalidOptions(field: "set header", offset: optionsStart + 16))
    }

    /// Any single corrupted byte is refused or leaves a snapshot whose option accessors stay in
    /// bounds and return sets the loader could have produced.
    @Test func everySingleByteCorruptionIsRefusedOrHarmless() throws {
        let rs = try Self.loaded()
        let snapshot = ReservationSnapshot(reservations: rs)
        let good = withExtendedLifetime(snapshot) { Array(snapshot.bytes) }
        var refused = 0
        for position in good.indices {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var b = good
                b[position] ^= flip
                b.withUnsafeBytes { raw in
                    guard let s = try? ReservationSnapshot(validating: raw, owner: nil, generation: 0) else {
                        refused += 1
                        return
                    }
                    for i in 0..<s.count {
                        #expect(s.optionsV4(at: i).storageProblem(.v4) == nil)
                        #expect(s.optionsV6(at: i).storageProblem(.v6) == nil)
                    }
                    _ = s.allReservations
                }
            }
        }
        #expect(refused > good.count)
    }

    @Test func optionsDoNotMakeAReservationNew() throws {
        let rs = try Self.loaded()
        var changed = rs
        changed[0].optionsV4 = .empty
        changed[2].mac = MACAddress("00-00-00-00-00-09")
        let before = ReservationSnapshot(reservations: rs), after = ReservationSnapshot(reservations: changed)
        #expect(after.sameIndexes(in: before) == [0, 1, -1, 3])
    }

    @Test func persistedFileRoundTripsEveryOption() throws {
        let rs = try Self.loaded()
        let text = ReservationPersistence.persistedJSON(rs)
        #expect(text.contains(#""v4_lease_time": 86400,"#))
        #expect(text.contains(#""options_v4": {"domain_search":["a.example","b.a.example"],"classless_routes":[{"net":"10.0.0.0/8","router":"198.51.100.254"}],"custom":[{"code":224,"hex":"0102"}],"always_send":["domain_search",224]}"#))
        #expect(text.contains(#""options_v6": {"ntp_servers":["2001:db8::123"],"aftr_name":"aftr.example","vendor_opts":[{"enterprise":3561,"hex":"0001"}]}"#))
        let again = try loadReservations(text).get().value
        #expect(again == rs)
        #expect(ReservationPersistence.persistedJSON(again) == text)
    }
}
