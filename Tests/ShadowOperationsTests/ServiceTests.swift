import NIOCore
import ShadowCore
import Testing
@testable import ShadowOperations

/// The dispatcher without a network: what each command asks the backend and answers.
@Suite struct ServiceTests {
    let backend = FakeBackend()
    var service: ManagementService { ManagementService(backend: backend) }

    func json(_ request: String) async -> String { await service.handle(Array(request.utf8)).json }

    @Test func invalidReplaceNeverReachesTheBackend() async {
        let bad = #"{"command":"replace","reservations":[{"ipv4":"10.0.0.1","ipv6_na":"2001:db8::1","ipv6_pd":"2001:db8::/56"}]}"#
        let r = await service.handle(Array(bad.utf8))
        #expect(!r.success)
        #expect(r.error?.hasPrefix("Invalid request: replace.reservations[0]") == true)
        #expect(r.extraFields.first?.name == "errors")
        #expect(backend.replaceCallCount == 0)
    }

    @Test func validReplacePassesTheValidatedReservations() async {
        let r = await json(#"{"command":"replace","reservations":"# + Fixtures.reservationsJSON + "}")
        #expect(r == #"{"success":true,"message":"Replaced with 4 reservations","reservation_count":4}"#)
        let call = backend.state.withLock { $0.replaceCalls.first }
        #expect(call?.count == 4)
        #expect(call?.reservations == Fixtures.reservations)
    }

    @Test func backendFailuresPassThrough() async {
        backend.state.withLock {
            $0.reloadResult = .failure(ManagementFailure(error: "Failed to parse reservations: x", errors: ["a", "b"]))
            $0.replaceResult = .failure(ManagementFailure(error: "Failed to write reservations: Read-only file system"))
        }
        #expect(await json(#"{"command":"reload"}"#)
                == #"{"success":false,"error":"Failed to parse reservations: x","errors":["a","b"]}"#)
        #expect(await json(#"{"command":"replace","reservations":[]}"#)
                == #"{"success":false,"error":"Failed to write reservations: Read-only file system"}"#)
    }

    @Test func statusCountsKeys() async {
        // mac, option82, duid+option82, mac+option1837: 6 keys.
        #expect(await json(#"{"command":"status"}"#) == #"{"success":true,"message":"Status OK","reservation_count":6,"snapshot_generation":1,"snapshot_digest":"0000000000000000","reservations":4,"index_keys":6}"#)
    }

    @Test func workersShape() async {
        let r = await json(#"{"command":"workers"}"#)
        #expect(r == #"{"success":true,"message":"2 workers","workers":[{"protocol":"v4","pid":101,"generation":2,"#
                + #""account":"_shadowdhcp-v4","uid":65534,"gid":65533,"capabilities":{"inheritable":"0000000000000000","permitted":"0000000000000000","#
                + #""effective":"0000000000000000","bounding":"0000000000000000","ambient":"0000000000000000"},"#
                + #""no_new_privs":true,"seccomp_mode":2,"restarts":1,"ready":true,"seccomp_kills":1,"bindings_refused":0,"#
                + #""limits":{"open_files":16,"file_size":67108864,"core_size":0,"processes":null}},"#
                + #"{"protocol":"v6","pid":null,"#
                + #""generation":1,"account":"_shadowdhcp-v6","uid":null,"gid":null,"capabilities":null,"no_new_privs":null,"seccomp_mode":null,"#
                + #""restarts":0,"ready":false,"seccomp_kills":0,"bindings_refused":0,"limits":null}]}"#)
    }

    @Test func statsShape() async {
        #expect(await json(#"{"command":"stats"}"#) == #"{"success":true,"message":"Statistics","#
                + #""v4":{"received":10,"replies":{"Offer":4,"Ack":3},"drops":{"NoReservation":3},"events_dropped":1,"options_omitted":2},"#
                + #""v6":{"received":5,"replies":{"Advertise":2},"drops":{"Discarded":3},"events_dropped":0,"options_omitted":0}}"#)
    }

    @Test func versionShape() async {
        #expect(await json(#"{"command":"version"}"#)
                == #"{"success":true,"message":"shadowdhcp 0.3.0 (abcdef1)","version":"0.3.0","commit":"abcdef1"}"#)
    }

    @Test func bindings() async {
        let mac = MACAddress("AA-AA-AA-AA-AA-01")!
        backend.state.withLock { $0.bindings[mac] = BindingTable.Entry(option82: Option82(remote: "r"), lastSeen: 77) }
        #expect(await json(#"{"command":"bindings"}"#)
                == #"{"success":true,"message":"1 binding","binding_count":1}"#)
        #expect(await json(#"{"command":"bindings","mac":"aa:aa:aa:aa:aa:01"}"#)
                == #"{"success":true,"message":"1 binding; AA-AA-AA-AA-AA-01 is bound","binding_count":1,"#
                + #""mac":"AA-AA-AA-AA-AA-01","binding":{"option82":{"circuit":null,"remote":"r","subscriber":null},"last_seen":77}}"#)
        #expect(await json(#"{"command":"bindings","mac":"AA-AA-AA-AA-AA-02"}"#).hasSuffix(#""binding":null}"#))
    }

    @Test func mutationsRunOneAtATime() async {
        backend.state.withLock { $0.replaceDelay = .milliseconds(50) }
        let service = self.service
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { _ = await service.handle(Array(#"{"command":"replace","reservations":[]}"#.utf8)) }
            }
        }
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        #expect(backend.replaceCallCount == 4)
    }
}
