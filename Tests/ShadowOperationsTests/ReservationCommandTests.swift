import ShadowCore
import Testing
@testable import ShadowOperations

/// `reservation-add/update/delete/changes/get` and `reservations-list` through the service.
@Suite struct ReservationCommandTests {
    let backend = FakeBackend()
    var service: ManagementService { ManagementService(backend: backend) }

    func json(_ request: String) async -> String { await service.handle(Array(request.utf8)).json }

    static let new = #"{"ipv4":"198.51.100.20","ipv6_na":"2001:db8:1::20","ipv6_pd":"2001:db8:120::/56","mac":"02:00:00:00:00:20"}"#

    @Test func addGetUpdateDeleteRoundTrip() async {
        #expect(await json(#"{"command":"reservation-add","reservation":"# + Self.new + "}")
                == #"{"success":true,"message":"Added 1 reservation","reservation_count":5,"snapshot_generation":2,"snapshot_digest":"00000000000000ab"}"#)
        #expect(await json(#"{"command":"reservation-get","ipv4":"198.51.100.20"}"#)
                == #"{"success":true,"message":"Reservation found","query":{"ipv4":"198.51.100.20"},"reservation":{"ipv4":"198.51.100.20","ipv6_na":"2001:db8:1::20","ipv6_pd":"2001:db8:120::/56","mac":"02-00-00-00-00-20"},"snapshot_generation":2}"#)
        let update = #"{"command":"reservation-update","reservation":{"ipv4":"198.51.100.21","ipv6_na":"2001:db8:1::21","ipv6_pd":"2001:db8:121::/56","mac":"02-00-00-00-00-20"}}"#
        #expect(await json(update).hasPrefix(#"{"success":true,"message":"Updated 1 reservation","reservation_count":5"#))
        #expect(await json(#"{"command":"reservation-get","mac":"020000000020"}"#).contains(#""ipv4":"198.51.100.21""#))
        #expect(await json(#"{"command":"reservation-delete","ipv6_pd":"2001:db8:121::/56"}"#)
                .hasPrefix(#"{"success":true,"message":"Deleted 1 reservation","reservation_count":4"#))
        #expect(await json(#"{"command":"reservation-get","mac":"02-00-00-00-00-20"}"#)
                == #"{"success":true,"message":"No reservation found","query":{"mac":"02-00-00-00-00-20"},"reservation":null,"snapshot_generation":4}"#)
    }

    @Test func getByEveryKindOfKey() async {
        for q in [#""mac":"00-11-22-33-44-55""#, #""duid":"00:03:00:01:00:11:22:33:44:66""#,
                  #""option82":{"remote":"AA-BB-CC-DD-EE-FF"}"#,
                  #""option1837":{"interface":"ge-0/0/1.100","remote":"sub-13","enterprise_number":4874}"#,
                  #""ipv6_na":"2001:db8:1::12""#, #""ipv6_pd":"2001:db8:103::/56""#] {
            #expect(await json(#"{"command":"reservation-get","# + q + "}").contains("Reservation found"), "\(q)")
        }
        #expect(await json(#"{"command":"reservation-get","mac":"00-11-22-33-44-55","ipv4":"198.51.100.10"}"#)
                == #"{"success":false,"error":"Invalid request: reservation-get needs exactly one of `mac`, `duid`, `option82`, `option1837`, `ipv4`, `ipv6_na`, `ipv6_pd`, got `mac`, `ipv4`"}"#)
    }

    @Test func entryErrorsNamePathsAndNothingIsSent() async {
        let bad = #"{"command":"reservation-add","reservations":["# + Self.new
            + #",{"ipv4":"10.0.0.1","ipv6_na":"2001:db8:1::30","ipv6_pd":"2001:db8:130::/56","mac":"zz"}]}"#
        #expect(await json(bad) == #"{"success":false,"error":"Invalid request: reservation-add.reservations[1].mac: invalid MAC address \"zz\"; expected 00-11-22-33-44-55, 00:11:22:33:44:55, 001122334455, 0x001122334455 or 0011.2233.4455\nreservation-add.reservations[1].ipv4: 10.0.0.1 is not inside any subnets_v4 net","errors":["reservation-add.reservations[1].mac: invalid MAC address \"zz\"; expected 00-11-22-33-44-55, 00:11:22:33:44:55, 001122334455, 0x001122334455 or 0011.2233.4455","reservation-add.reservations[1].ipv4: 10.0.0.1 is not inside any subnets_v4 net"]}"#)
        #expect(backend.state.withLock { $0.snapshot.generation } == 1)
    }

    @Test func aBatchWithOneConflictChangesNothing() async {
        let batch = #"{"command":"reservation-changes","changes":[{"add":"# + Self.new
            + #"},{"delete":{"mac":"00-11-22-33-44-55"}},{"update":{"ipv4":"198.51.100.30","ipv6_na":"2001:db8:1::30","ipv6_pd":"2001:db8:130::/56","mac":"02-00-00-00-00-99"},"match":{"ipv4":"198.51.100.11"}},{"delete":{"ipv4":"198.51.100.99"}}]}"#
        #expect(await json(batch) == #"{"success":false,"error":"Invalid request: reservation-changes.changes[3].delete.ipv4: no reservation has 198.51.100.99","errors":["reservation-changes.changes[3].delete.ipv4: no reservation has 198.51.100.99"]}"#)
        #expect(backend.state.withLock { $0.snapshot.allReservations } == Fixtures.reservations)
        let fixed = batch.replacingOccurrences(of: #",{"delete":{"ipv4":"198.51.100.99"}}"#, with: "")
        #expect(await json(fixed).hasPrefix(#"{"success":true,"message":"Added 1, updated 1, deleted 1 reservations","reservation_count":4"#))
    }

    @Test func malformedChangeRequests() async {
        #expect(await json(#"{"command":"reservation-add"}"#)
                == #"{"success":false,"error":"Invalid request: missing field `reservation` (or `reservations` for several)"}"#)
        #expect(await json(#"{"command":"reservation-delete"}"#).contains("reservation-delete needs exactly one of"))
        #expect(await json(#"{"command":"reservation-changes","changes":[{"add":{},"delete":{"mac":"x"}}]}"#)
                == #"{"success":false,"error":"Invalid request: `reservation-changes.changes[0]` needs exactly one of `add`, `update`, `delete`"}"#)
        #expect(await json(#"{"command":"reservation-delete","mac":"nope"}"#)
                == #"{"success":false,"error":"Invalid request: reservation-delete: `mac`: invalid MAC address \"nope\"; expected e.g. 00-11-22-33-44-55"}"#)
    }

    @Test func listPages() async {
        let first = await json(#"{"command":"reservations-list","limit":3}"#)
        #expect(first.hasPrefix(#"{"success":true,"message":"Reservations 0 to 2 of 4","reservation_count":4,"from":0,"limit":3,"next":3,"snapshot_generation":1,"reservations":[{"ipv4":"198.51.100.10""#))
        let last = await json(#"{"command":"reservations-list","from":3,"limit":3}"#)
        #expect(last.hasPrefix(#"{"success":true,"message":"Reservations 3 to 3 of 4","reservation_count":4,"from":3,"limit":3,"next":null"#))
        #expect(last.contains("198.51.100.13") && !last.contains("198.51.100.12"))
        #expect(await json(#"{"command":"reservations-list","from":9}"#).contains(#""next":null,"snapshot_generation":1,"reservations":[]"#))
        #expect(await json(#"{"command":"reservations-list","limit":0}"#)
                == #"{"success":false,"error":"Invalid request: `limit` must be an integer from 1 to 10000"}"#)
    }
}
