import Testing
@testable import ShadowCore

@Suite("Persisted reservations (replace)")
struct ReservationPersistenceTests {
    static let sample = [
        Reservation(ipv4: IPv4Address(198, 51, 100, 10), ipv6NA: IPv6Address("2001:DB8:1:0:0:0:0:10")!,
                    ipv6PD: IPv6Prefix("2001:db8:100::/56")!, mac: MACAddress("00:11:22:aa:bb:cc")),
        Reservation(ipv4: IPv4Address(198, 51, 100, 11), ipv6NA: IPv6Address("2001:db8:1::11")!,
                    ipv6PD: IPv6Prefix("2001:db8:101::/56")!, duid: DUID("00-03-00-01-AA-BB-CC-DD-EE-FF"),
                    option82: Option82(remote: "AA-BB-CC-DD-EE-FF")),
        Reservation(ipv4: IPv4Address(203, 0, 113, 12), ipv6NA: IPv6Address("2001:db8:1::12")!,
                    ipv6PD: IPv6Prefix("2001:db8:102::/48")!, mac: MACAddress("001122334466"),
                    option82: Option82(circuit: "eth1:100", remote: "olt \"7\"", subscriber: "café\n"),
                    option1837: Option1837(interface: "ge-0/0/1.100", remote: "sub-13", enterpriseNumber: 4874)),
        Reservation(ipv4: IPv4Address(198, 51, 100, 13), ipv6NA: IPv6Address("2001:db8:1::13")!,
                    ipv6PD: IPv6Prefix("2001:db8:103::/64")!, duid: DUID("00:01:02"),
                    option1837: Option1837(interface: "ge-0/0/2")),
    ]

    static let expected = """
        [
          {
            "ipv4": "198.51.100.10",
            "ipv6_na": "2001:db8:1::10",
            "ipv6_pd": "2001:db8:100::/56",
            "mac": "00-11-22-AA-BB-CC"
          },
          {
            "ipv4": "198.51.100.11",
            "ipv6_na": "2001:db8:1::11",
            "ipv6_pd": "2001:db8:101::/56",
            "duid": "00:03:00:01:aa:bb:cc:dd:ee:ff",
            "option82": {
              "circuit": null,
              "remote": "AA-BB-CC-DD-EE-FF",
              "subscriber": null
            }
          },
          {
            "ipv4": "203.0.113.12",
            "ipv6_na": "2001:db8:1::12",
            "ipv6_pd": "2001:db8:102::/48",
            "mac": "00-11-22-33-44-66",
            "option82": {
              "circuit": "eth1:100",
              "remote": "olt \\"7\\"",
              "subscriber": "café\\n"
            },
            "option1837": {
              "interface": "ge-0/0/1.100",
              "remote": "sub-13",
              "enterprise_number": 4874
            }
          },
          {
            "ipv4": "198.51.100.13",
            "ipv6_na": "2001:db8:1::13",
            "ipv6_pd": "2001:db8:103::/64",
            "duid": "00:01:02",
            "option1837": {
              "interface": "ge-0/0/2",
              "remote": null,
              "enterprise_number": null
            }
          }
        ]

        """

    @Test func byteExact() {
        #expect(ReservationPersistence.persistedJSON(Self.sample) == Self.expected)
        #expect(ReservationPersistence.persistedBytes(Self.sample) == Array(Self.expected.utf8))
    }

    /// A large list written in pieces on several threads is byte for byte the one-thread text.
    @Test func piecesWriteTheSameBytes() {
        let backwards = ParallelWork(width: 3) { count, job in
            for i in (0..<count).reversed() { job(i) }
        }
        for count in [1, 199, 250, 307] {  // one piece, one, two, three
            let list = (0..<count).map { i in
                var r = Self.sample[i % Self.sample.count]
                r.ipv4 = IPv4Address(UInt32(0xC633_6400) &+ UInt32(i))
                return r
            }
            let one = ReservationPersistence.persistedBytes(list)
            #expect(ReservationPersistence.persistedBytes(list, work: backwards, piecesFrom: 100) == one)
            #expect(one.starts(with: Array("[\n  {".utf8)) && one.suffix(4).elementsEqual(Array("}\n]\n".utf8)))
        }
    }

    @Test func emptyList() throws {
        #expect(ReservationPersistence.persistedJSON([]) == "[]\n")
        #expect(try loadReservations("[]\n").get().value == [])
    }

    @Test func roundTrip() throws {
        let loaded = try loadReservations(ReservationPersistence.persistedJSON(Self.sample)).get()
        #expect(loaded.value == Self.sample)
        #expect(loaded.warnings.lines == ["reservations.json[3]: only DHCPv6 keys (duid, option1837): not reachable over DHCPv4"])
    }

    @Test func writingIsIdempotent() throws {
        let once = ReservationPersistence.persistedJSON(Self.sample)
        let twice = ReservationPersistence.persistedJSON(try loadReservations(once).get().value)
        #expect(once == twice)
    }

    @Test func prefixIsWrittenMasked() {
        let r = Reservation(ipv4: IPv4Address(198, 51, 100, 1), ipv6NA: .loopback,
                            ipv6PD: IPv6Prefix("2001:db8:1:3::/56")!, mac: MACAddress(value: 1))
        #expect(ReservationPersistence.persistedJSON([r]).contains(#""ipv6_pd": "2001:db8:1::/56""#))
    }

    @Test func normalisesWhatItLoaded() throws {
        let text = #"[{"mac": "0x0011223344ff", "duid": " 00-03-0A ", "ipv6_pd": "2001:0db8:0001:0003::/56", "ipv6_na": "2001:0DB8::0001", "ipv4": "198.51.100.3"}]"#
        let loaded = try loadReservations(text).get()
        #expect(ReservationPersistence.persistedJSON(loaded.value) == """
            [
              {
                "ipv4": "198.51.100.3",
                "ipv6_na": "2001:db8::1",
                "ipv6_pd": "2001:db8:1::/56",
                "mac": "00-11-22-33-44-FF",
                "duid": "00:03:0a"
              }
            ]

            """)
    }
}
