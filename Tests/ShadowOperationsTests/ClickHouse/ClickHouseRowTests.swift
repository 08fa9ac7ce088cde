import ShadowCore
import Testing
@testable import ShadowOperations

/// Events shaped into rows as contrib/vector/vector.toml shapes them (plus the split PD columns).
@Suite struct ClickHouseRowTests {
    @Test func v4EventBecomesARowWithHostNameFirstAndSuccessAsNumber() throws {
        let line = #"{"ip_version":"v4","timestamp_ms":1700000000000,"message_type":"Request","relay_addr":"192.0.2.1","mac_address":"02-00-5E-10-00-01","option82_circuit":"c\"1","reservation_ipv4":"198.51.100.11","reply_type":"Ack","success":true,"failure_reason":null}"#
        let shaped = try #require(ClickHouseRow.shape(line, hostName: "dhcp-1"))
        #expect(shaped.table == .v4)
        #expect(shaped.row == #"{"host_name":"dhcp-1","timestamp_ms":1700000000000,"message_type":"Request","relay_addr":"192.0.2.1","mac_address":"02-00-5E-10-00-01","option82_circuit":"c\"1","reservation_ipv4":"198.51.100.11","reply_type":"Ack","success":1,"failure_reason":null}"#)
    }

    @Test func v6EventCarriesTheSplitPrefixesWithHostBitsCleared() throws {
        let line = #"{"ip_version":"v6","timestamp_ms":5,"message_type":"Solicit","xid":"0a0b0c","requested_ipv6_pd":"2001:db8:1100:ff::/56","reservation_ipv6_pd":"2001:db8:1100::/56","success":false}"#
        let shaped = try #require(ClickHouseRow.shape(line, hostName: "h"))
        #expect(shaped.table == .v6)
        #expect(shaped.row == #"{"host_name":"h","timestamp_ms":5,"message_type":"Solicit","xid":"0a0b0c","requested_ipv6_pd":"2001:db8:1100:ff::/56","reservation_ipv6_pd":"2001:db8:1100::/56","success":0,"requested_ipv6_pd_prefix":"2001:db8:1100::","requested_ipv6_pd_length":56,"reservation_ipv6_pd_prefix":"2001:db8:1100::","reservation_ipv6_pd_length":56}"#)
        let none = try #require(ClickHouseRow.shape(#"{"ip_version":"v6","requested_ipv6_pd":null,"success":true}"#, hostName: "h"))
        #expect(none.row == #"{"host_name":"h","requested_ipv6_pd":null,"success":1,"requested_ipv6_pd_prefix":null,"requested_ipv6_pd_length":null,"reservation_ipv6_pd_prefix":null,"reservation_ipv6_pd_length":null}"#)
    }

    @Test(arguments: [
        #"{"event_type":"management","timestamp_ms":1,"command":"stats"}"#,
        #"{"event_type":"ha_peer","ip_version":"v4"}"#,
        #"{"ip_version":"v5","success":true}"#,
        #"{"success":true}"#,
        #"not json"#,
        #"["v4"]"#,
    ])
    func otherLinesAreNoRows(_ line: String) {
        #expect(ClickHouseRow.shape(line, hostName: "h") == nil)
    }

    @Test func anEventsOwnHostNameIsReplaced() throws {
        let shaped = try #require(ClickHouseRow.shape(#"{"host_name":"x","ip_version":"v4","success":true}"#, hostName: "h"))
        #expect(shaped.row == #"{"host_name":"h","success":1}"#)
    }
}
