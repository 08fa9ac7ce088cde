import NIOCore
import ShadowCore
import Testing
@testable import ShadowOperations

/// `diff` (a dry run of `replace`) and `explain` (the lookup walked step by step) through the
/// management service.
@Suite struct DiffExplainTests {
    let backend = FakeBackend()
    var service: ManagementService { ManagementService(backend: backend) }

    func send(_ json: String) async -> ManagementResponse {
        await service.handle(Array(json.utf8))
    }

    func field(_ r: ManagementResponse, _ name: String) -> String? {
        r.extraFields.first { $0.name == name }?.json
    }

    /// Appendix B with entry 0's ipv4 changed, entry 3 removed and a new subscriber added.
    static let newSet = """
        [{"ipv4":"198.51.100.20","ipv6_na":"2001:db8:1::10","ipv6_pd":"2001:db8:100::/56","mac":"00:11:22:33:44:55"},\
        {"ipv4":"198.51.100.11","ipv6_na":"2001:db8:1::11","ipv6_pd":"2001:db8:101::/56","option82":{"remote":"AA-BB-CC-DD-EE-FF"}},\
        {"ipv4":"198.51.100.12","ipv6_na":"2001:db8:1::12","ipv6_pd":"2001:db8:102::/56","duid":"00:03:00:01:00:11:22:33:44:66",\
        "option82":{"circuit":"eth1:100","remote":"olt-7"}},\
        {"ipv4":"198.51.100.13","ipv6_na":"2001:db8:1::30","ipv6_pd":"2001:db8:130::/56","mac":"02-00-00-00-00-30"}]
        """

    @Test func diffReportsAddedRemovedChangedAndMoves() async {
        let r = await send(#"{"command":"diff","reservations":\#(Self.newSet)}"#)
        #expect(r.success)
        #expect(r.message == "Diff against generation 1: 1 added, 1 removed, 1 changed, 2 unchanged, 1 addresses moved")
        #expect(r.reservationCount == 4)
        #expect(field(r, "current_count") == "4")
        #expect(field(r, "changed") == #"{"count":1,"first":[{"entry":0,"current_entry":0,"fields":{"ipv4":{"from":"198.51.100.10","to":"198.51.100.20"}}}]}"#)
        #expect(field(r, "added")?.hasPrefix(#"{"count":1,"first":[{"entry":3,"reservation":{"ipv4":"198.51.100.13""#) == true)
        #expect(field(r, "removed")?.hasPrefix(#"{"count":1,"first":[{"entry":3,"reservation":{"ipv4":"198.51.100.13""#) == true)
        #expect(field(r, "moved")?.hasPrefix(#"{"count":1,"first":[{"field":"ipv4","value":"198.51.100.13","from_current_entry":3,"#) == true)
        #expect(field(r, "served_recently") == "null")
        #expect(backend.replaceCallCount == 0)
    }

    @Test func diffOfAnInvalidSetGivesReplacesErrors() async {
        let bad = #"[{"ipv4":"203.0.113.5","ipv6_na":"2001:db8:1::10","ipv6_pd":"2001:db8:100::/56","mac":"00-11"}]"#
        let diff = await send(#"{"command":"diff","reservations":\#(bad)}"#)
        let replace = await send(#"{"command":"replace","reservations":\#(bad)}"#)
        #expect(!diff.success)
        #expect(diff.error == replace.error)
        #expect(field(diff, "errors") == field(replace, "errors"))
        #expect(diff.error?.contains("replace.reservations[0].mac: invalid MAC address") == true)
        #expect(backend.replaceCallCount == 0)
    }

    @Test func diffMayBeALargeRequestForTheReadRole() {
        let diff = ByteBuffer(string: #"{"command":"diff","reservations":[{"ipv4":"#)
        #expect(service.refusalOfLargeRequest(prefix: diff, peer: .localRoot) == nil)
        let status = ByteBuffer(string: #"{"command":"status","pad":"xxxxxxxx"#)
        #expect(service.refusalOfLargeRequest(prefix: status, peer: .localRoot)?.contains("only changes") == true)
        #expect(CommandPermissions.requiredRole(for: "diff") == .read)
        #expect(CommandPermissions.requiredRole(for: "explain") == .read)
    }

    @Test func explainV4Found() async {
        let r = await send(#"{"command":"explain","mac":"00:11:22:33:44:55","relay":"192.0.2.1"}"#)
        #expect(r.message == "DHCPv4: OFFER with entry 0 (mac via chaddr)")
        #expect(field(r, "walk") == #"["chaddr: 00-11-22-33-44-55: reserved (entry 0)"]"#)
        #expect(field(r, "reply") == #""Offer""#)
        #expect(field(r, "no_reply_reason") == "null")
        #expect(field(r, "effective") == #"{"ipv4":"198.51.100.10","subnet":"198.51.100.0/24","router":"198.51.100.1","subnet_mask":"255.255.255.0","dns_v4":["192.0.2.53"],"lease_time":3600,"renewal_time":1800,"rebinding_time":3150}"#)
        #expect(field(r, "candidates") == nil)
    }

    @Test func explainV4MissShowsTheMACInAnotherKey() async {
        let r = await send(#"{"command":"explain","mac":"aa:bb:cc:dd:ee:ff"}"#)
        #expect(r.message == "DHCPv4: no reply (NoReservation)")
        #expect(field(r, "no_reply_reason") == #""NoReservation""#)
        #expect(field(r, "match") == "null")
        #expect(field(r, "candidates")?.hasPrefix(#"[{"entry":1,"why":"entry 1 has option82 {\"remote\":\"AA-BB-CC-DD-EE-FF\"}, this MAC in another form""#) == true)
    }

    @Test func explainV4ExtractorNotConfiguredIsACandidate() async {
        // circuit_and_remote is not configured: {circuit, remote} is entry 2's key all the same.
        let r = await send(#"{"command":"explain","option82":{"circuit":"eth1:100","remote":"olt-7"}}"#)
        #expect(field(r, "walk") == #"["chaddr: not given","option82 remote_only: {\"circuit\":\"eth1:100\",\"remote\":\"olt-7\"} → {\"remote\":\"olt-7\"}: not in the index","option82 normalize_remote_mac: {\"circuit\":\"eth1:100\",\"remote\":\"olt-7\"} → nothing"]"#)
        #expect(field(r, "candidates")?.contains(#""why":"Option 82 extractor circuit_and_remote (not configured) gives {\"circuit\":\"eth1:100\",\"remote\":\"olt-7\"}, the option82 of entry 2""#) == true)
    }

    @Test func explainV4NotRelayed() async {
        let r = await send(#"{"command":"explain","mac":"00:11:22:33:44:55","relay":"0.0.0.0"}"#)
        #expect(r.message == "DHCPv4: no reply (NotRelayed)")
        #expect(field(r, "match")?.hasPrefix(#"{"entry":0,"method":"mac""#) == true)
    }

    @Test func explainV6ThroughTheLearnedBinding() async {
        let mac = MACAddress("02-00-00-00-00-01")!
        backend.state.withLock {
            $0.bindings[mac] = BindingTable.Entry(option82: Option82(remote: "AA-BB-CC-DD-EE-FF"), lastSeen: 5)
        }
        let r = await send(#"{"command":"explain","duid":"00:02:00:00:00:09:01","client_linklayer":"02:00:00:00:00:01"}"#)
        #expect(r.message == "DHCPv6: ADVERTISE with entry 1 (option82 via lease_fallback)")
        #expect(field(r, "walk") == #"["duid: 00:02:00:00:00:09:01: not in the index","option1837 remote_only: not given","mac client_linklayer_address: option 79 02-00-00-00-00-01 → 02-00-00-00-00-01: not in the index","lease_fallback lease_fallback: 02-00-00-00-00-01 → {\"remote\":\"AA-BB-CC-DD-EE-FF\"}: reserved (entry 1)"]"#)
        #expect(field(r, "effective") == #"{"ipv6_na":"2001:db8:1::11","ipv6_pd":"2001:db8:101::/56","dns_v6":["2001:db8::53"],"preferred_lifetime":21600,"valid_lifetime":43200,"t1":10800,"t2":17280}"#)
    }

    @Test func explainV6RelayNotAllowedForSubnet() async {
        // Entry 1 (ipv6_na 2001:db8:1::11) is found through its learned binding; its subnet takes
        // clients only through 2001:db8:a::/48.
        let mac = MACAddress("02-00-00-00-00-01")!
        backend.state.withLock {
            $0.bindings[mac] = BindingTable.Entry(option82: Option82(remote: "AA-BB-CC-DD-EE-FF"), lastSeen: 5)
            $0.config.subnetsV6 = [SubnetV6(link: IPv6Prefix("2001:db8:1::/64")!, relays: [IPv6Prefix("2001:db8:a::/48")!])]
        }
        let query = #""duid":"00:02:00:00:00:09:01","client_linklayer":"02:00:00:00:00:01""#
        let moved = await send(#"{"command":"explain",\#(query),"relay":"2001:db8:b::1"}"#)
        #expect(moved.message == "DHCPv6: no reply to a Solicit (RelayNotAllowedForSubnet)")
        #expect(field(moved, "no_reply_reason") == #""RelayNotAllowedForSubnet""#)
        #expect(field(moved, "match")?.hasPrefix(#"{"entry":1,"#) == true)
        let home = await send(#"{"command":"explain",\#(query),"relay":"2001:db8:a::1"}"#)
        #expect(home.message == "DHCPv6: ADVERTISE with entry 1 (option82 via lease_fallback)")
        let unknown = await send(#"{"command":"explain",\#(query)}"#)
        #expect(unknown.message == "DHCPv6: ADVERTISE with entry 1 (option82 via lease_fallback)")
    }

    @Test func explainV6MissNamesTheUnconfiguredExtractor() async {
        // The DUID carries MAC 00-11-22-33-44-55 (entry 0's), but the duid MAC extractor is not configured.
        let r = await send(#"{"command":"explain","duid":"00:03:00:01:00:11:22:33:44:55"}"#)
        #expect(r.message == "DHCPv6: no reply to a Solicit (NoReservation)")
        #expect(field(r, "candidates")?.contains(#""why":"MAC extractor duid (not configured) gives 00-11-22-33-44-55, the mac of entry 0""#) == true)
    }

    @Test(arguments: [
        (#""mac":"00:11:22:33:44:55","duid":"00:01""#, "explain asks about one protocol"),
        (#""mac":"00:11:22:33:44:55","v6":true"#, "explain asks about one protocol"),
        (#""relay":"192.0.2.1""#, "explain needs a client"),
        (#""mac":"00:11:22:33:44:55","relay":"2001:db8::1""#, "`relay`: invalid IPv4 address"),
        (#""duid":"00:01","relay":"192.0.2.1""#, "`relay`: invalid IPv6 address"),
        (#""peer_address":"fe80::zz""#, "`peer_address`: invalid IPv6 address"),
        (#""v6":1,"duid":"00:01""#, "`v6` must be true or false"),
    ])
    func explainRejects(_ fields: String, _ message: String) async {
        let r = await send(#"{"command":"explain",\#(fields)}"#)
        #expect(!r.success)
        #expect(r.error?.hasPrefix("Invalid request: " + message) == true, "\(r.error ?? "")")
    }
}
