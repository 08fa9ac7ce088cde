import ShadowCore
import Testing
@testable import ShadowOperations

/// docs/management.md: response bytes and field order.
@Suite struct ResponseCodecTests {
    @Test func statusBytes() {
        let r = ManagementService.statusResponse(StatusReport(keyCount: 7, reservationCount: 4, snapshotGeneration: 1,
                                                              snapshotLoadedAt: 0))
        #expect(r.line == #"{"success":true,"message":"Status OK","reservation_count":7,"snapshot_generation":1,"snapshot_digest":"0000000000000000","reservations":4,"index_keys":7}"# + "\n")
    }

    @Test func reloadAndReplaceBytes() {
        #expect(ManagementService.mutationResponse(.success(4), verb: "Reloaded", warnings: []).line
                == #"{"success":true,"message":"Reloaded 4 reservations","reservation_count":4}"# + "\n")
        #expect(ManagementService.mutationResponse(.success(2), verb: "Replaced with", warnings: []).line
                == #"{"success":true,"message":"Replaced with 2 reservations","reservation_count":2}"# + "\n")
    }

    @Test func failureBytes() {
        let f = ManagementFailure(error: "Failed to write reservations: No space left on device")
        #expect(ManagementService.mutationResponse(.failure(f), verb: "Replaced with", warnings: []).line
                == #"{"success":false,"error":"Failed to write reservations: No space left on device"}"# + "\n")
        let open = ManagementFailure(error: "Failed to open /x/reservations.json: No such file or directory")
        #expect(ManagementService.mutationResponse(.failure(open), verb: "Reloaded", warnings: []).json
                == #"{"success":false,"error":"Failed to open /x/reservations.json: No such file or directory"}"#)
    }

    @Test func invalidRequestCarriesErrorsArrayLast() {
        let e = ManagementRequestError("a: x\nb: y", errors: ["a: x", "b: y"])
        #expect(e.response.json == #"{"success":false,"error":"Invalid request: a: x\nb: y","errors":["a: x","b: y"]}"#)
    }

    @Test func upstreamKeysComeFirstThenNewOnes() {
        let r = ManagementResponse(success: true, error: nil, message: "m", reservationCount: 1,
                                   extraFields: [.int("binding_count", 3), .string("mac", nil)])
        #expect(r.json == #"{"success":true,"message":"m","reservation_count":1,"binding_count":3,"mac":null}"#)
    }

    @Test func stateErrorFollowsTheUpstreamFields() {
        let r = ManagementService.statusResponse(StatusReport(keyCount: 0, reservationCount: 0, snapshotGeneration: 0,
                                                              snapshotLoadedAt: 0, stateError: "read-only"))
        #expect(r.json == #"{"success":true,"message":"Status OK","reservation_count":0,"snapshot_generation":0,"snapshot_digest":"0000000000000000","reservations":0,"index_keys":0,"state_error":"read-only"}"#)
    }
}
