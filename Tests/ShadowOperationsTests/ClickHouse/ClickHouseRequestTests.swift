import NIOHTTP1
import ShadowCore
import Testing
@testable import ShadowOperations

/// The insert request's URL, headers and the status classification.
@Suite struct ClickHouseRequestTests {
    @Test func targetIsUpstreamsQueryPercentEncoded() {
        #expect(ClickHouseRequest.target(path: "", database: "dhcp", table: .v4)
                == "/?database=dhcp&input_format_skip_unknown_fields=1&query=INSERT%20INTO%20events_v4%20FORMAT%20JSONEachRow")
        #expect(ClickHouseRequest.target(path: "/ch", database: "my db&x", table: .v6)
                == "/ch/?database=my%20db%26x&input_format_skip_unknown_fields=1&query=INSERT%20INTO%20events_v6%20FORMAT%20JSONEachRow")
    }

    @Test func basicAuthorizationIsBase64OfUserColonPassword() {
        #expect(ClickHouseRequest.basicAuthorization(user: "default", password: "") == "Basic ZGVmYXVsdDo=")
        #expect(ClickHouseRequest.basicAuthorization(user: "Aladdin", password: "open sesame") == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        #expect(ClickHouseRequest.base64(Array("ab".utf8)) == "YWI=")
        #expect(ClickHouseRequest.base64([]) == "")
    }

    @Test func headCarriesHostAuthAndLength() throws {
        let url = try ClickHouseURL(parsing: "http://[2001:db8::8]:8123")
        let head = ClickHouseRequest.head(url: url, target: "/x", user: "u", password: "p", length: 42)
        #expect(head.method == .POST && head.uri == "/x")
        #expect(head.headers["Host"] == ["[2001:db8::8]:8123"])
        #expect(head.headers["Authorization"] == ["Basic dTpw"])
        #expect(head.headers["Content-Type"] == ["application/x-ndjson"])
        #expect(head.headers["Content-Length"] == ["42"])
    }

    @Test(arguments: [(200, ClickHouseRequest.Outcome.delivered), (204, .delivered), (408, .transient), (429, .transient),
                      (500, .transient), (503, .transient), (599, .transient), (400, .permanent), (401, .permanent),
                      (403, .permanent), (404, .permanent), (413, .permanent), (301, .permanent)])
    func statusClassification(_ status: Int, _ outcome: ClickHouseRequest.Outcome) {
        #expect(ClickHouseRequest.outcome(status: status) == outcome)
    }

    @Test func backoffDoublesUpToTheCap() throws {
        var c = ClickHouseWriter.Configuration(url: try ClickHouseURL(parsing: "http://127.0.0.1"), user: "u",
                                               password: "p", database: "dhcp", hostName: "h")
        c.retryDelay = .seconds(1)
        c.maxRetryDelay = .seconds(30)
        let pauses = (1...8).map { ClickHouseSender.backoff(attempt: $0, c, jitter: false).nanoseconds / 1_000_000_000 }
        #expect(pauses == [1, 2, 4, 8, 16, 30, 30, 30])
        #expect(ClickHouseSender.backoff(attempt: 1000, c, jitter: false) == .seconds(30))
    }
}
