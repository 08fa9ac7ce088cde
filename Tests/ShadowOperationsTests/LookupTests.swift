import ShadowCore
import Testing
@testable import ShadowOperations

/// `lookup`: the NOC's question — which reservation, by which method.
@Suite struct LookupTests {
    let backend = FakeBackend()
    var service: ManagementService { ManagementService(backend: backend) }

    func lookup(_ key: String) async -> ManagementResponse {
        await service.handle(Array(#"{"command":"lookup",\#(key)}"#.utf8))
    }

    func field(_ r: ManagementResponse, _ name: String) -> String? {
        r.extraFields.first { $0.name == name }?.json
    }

    @Test func macFindsV4ByChaddrAndV6ByMAC() async {
        let r = await lookup(#""mac":"00:11:22:33:44:55""#)
        #expect(r.message == "Reservation found")
        let reservation = #"{"ipv4":"198.51.100.10","ipv6_na":"2001:db8:1::10","ipv6_pd":"2001:db8:100::/56","mac":"00-11-22-33-44-55"}"#
        #expect(field(r, "v4") == #"{"method":"mac","extractor":"chaddr","reservation":\#(reservation)}"#)
        #expect(field(r, "v6") == #"{"method":"mac","extractor":null,"reservation":\#(reservation)}"#)
        #expect(field(r, "learned_binding") == "null")
        #expect(field(r, "mac_extractors") == #"["client_linklayer_address","peer_addr_eui64"]"#)
    }

    @Test func macWithLearnedBindingFallsBackToOption82() async {
        let mac = MACAddress("02-00-00-00-00-01")!
        backend.state.withLock {
            $0.bindings[mac] = BindingTable.Entry(option82: Option82(remote: "AA-BB-CC-DD-EE-FF"), lastSeen: 5)
        }
        let r = await lookup(#""mac":"02-00-00-00-00-01""#)
        #expect(field(r, "v4") == "null")
        #expect(field(r, "v6")?.hasPrefix(#"{"method":"option82","extractor":"lease_fallback","reservation":{"ipv4":"198.51.100.11""#) == true)
        #expect(field(r, "learned_binding")
                == #"{"option82":{"circuit":null,"remote":"AA-BB-CC-DD-EE-FF","subscriber":null},"last_seen":5}"#)
    }

    @Test func option82RunsTheConfiguredExtractors() async {
        // remote_only misses (not the reservation's spelling); normalize_remote_mac finds it.
        let r = await lookup(#""option82":{"circuit":"port 3","remote":"aabb.ccdd.eeff"}"#)
        #expect(field(r, "v4")?.hasPrefix(#"{"method":"option82","extractor":"normalize_remote_mac","#) == true)
        #expect(field(r, "v6") == "null")
        #expect(field(r, "learned_binding") == nil)
    }

    @Test func option82WholeTripleDoesNotMatchWithoutAnExtractor() async {
        // {circuit, remote} exists as a key, but neither configured extractor produces it.
        let r = await lookup(#""option82":{"circuit":"eth1:100","remote":"olt-7"}"#)
        #expect(r.message == "No reservation found")
    }

    @Test func duidAndOption1837() async {
        let d = await lookup(#""duid":"00:03:00:01:00:11:22:33:44:66""#)
        #expect(field(d, "v6")?.hasPrefix(#"{"method":"duid","extractor":null,"reservation":{"ipv4":"198.51.100.12""#) == true)
        #expect(field(d, "v4") == "null")
        // remote_only keeps {remote} alone: the reservation's key has all three fields, so no match…
        let miss = await lookup(#""option1837":{"interface":"ge-0/0/1.100","remote":"sub-13","enterprise_number":4874}"#)
        #expect(miss.message == "No reservation found")
        #expect(field(miss, "query") == #"{"option1837":{"interface":"ge-0/0/1.100","remote":"sub-13","enterprise_number":4874}}"#)
    }

    @Test func option1837WithAllFields() async {
        var config = Fixtures.config
        config.option1837Extractors = [.remoteOnly, .allFields]
        let context = ManagementContext(snapshot: ReservationSnapshot(reservations: Fixtures.reservations), config: config)
        let r = LookupResolver(context: context).response(
            for: .option1837(Option1837(interface: "ge-0/0/1.100", remote: "sub-13", enterpriseNumber: 4874)), binding: nil)
        #expect(r.extraFields.first { $0.name == "v6" }?.json.hasPrefix(#"{"method":"option1837","extractor":"all_fields","#) == true)
    }
}
