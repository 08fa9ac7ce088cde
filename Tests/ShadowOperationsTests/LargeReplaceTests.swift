import ShadowCore
import Testing
@testable import ShadowOperations

/// A large `replace` over the wire, parsed straight from the request buffer.
@Suite struct LargeReplaceTests {
    /// `count` valid reservations as one JSON line.
    static func reservations(_ count: Int) -> String {
        var out = "["
        out.reserveCapacity(count * 130)
        for i in 0..<count {
            let mac = String(format6: i)
            let (hi, lo) = (String(i >> 16, radix: 16), String(i & 0xFFFF, radix: 16))
            let a = i + 2  // past the network address and the gateway (10.0.0.1)
            out += #"{"ipv4":"10.\#(a >> 16 & 255).\#(a >> 8 & 255).\#(a & 255)","ipv6_na":"2001:db8:\#(hi):\#(lo)::1","#
            out += #""ipv6_pd":"2001:db9:\#(hi):\#(lo)::/64","mac":"\#(mac)"}"#
            out += i == count - 1 ? "]" : ","
        }
        return out
    }

    @Test func twentyThousandEntriesOverTheWire() async throws {
        let backend = FakeBackend()
        backend.state.withLock {
            $0.config.subnetsV4 = [SubnetV4(net: IPv4Network("10.0.0.0/8")!, gateway: IPv4Address("10.0.0.1")!)]
        }
        try await withServer(backend: backend) { s in
            let request = #"{"command":"replace","reservations":"# + Self.reservations(20_000) + "}"
            #expect(await s.reply(request)
                    == #"{"success":true,"message":"Replaced with 20000 reservations","reservation_count":20000}"#)
            #expect(backend.state.withLock { $0.replaceCalls.first?.count } == 20_000)
        }
    }

    /// shadowctl embeds a file as is, its line breaks (CR and LF) blanked, in one request line.
    @Test func aFileBecomesOneRequestLine() {
        let file = Array("[\r\n  {\"mac\": \"00-11-22-33-44-55\"}\n]\n".utf8)
        #expect(String(decoding: ManagementClient.setRequest("replace", fileBytes: file), as: UTF8.self)
                == #"{"command":"replace","reservations":[    {"mac": "00-11-22-33-44-55"} ] }"#)
        #expect(String(decoding: ManagementClient.setRequest("diff", fileBytes: []), as: UTF8.self)
                == #"{"command":"diff","reservations":}"#)
    }

    @Test func everyErrorOfALargeSetIsCounted() async throws {
        try await withServer { s in
            // The fixture's subnets refuse 10/8: every entry is an error; the list is capped, the rest counted.
            let wire = await s.reply(#"{"command":"replace","reservations":"# + Self.reservations(3_000) + "}")
            #expect(wire.hasPrefix(#"{"success":false,"error":"Invalid request: replace.reservations[0].ipv4: "#))
            #expect(wire.contains(#"... and 2000 more errors"#))
            #expect(s.backend.replaceCallCount == 0)
        }
    }
}

extension String {
    /// A locally administered MAC from a number.
    init(format6 i: Int) {
        let bytes = [0x02, 0, 0, (i >> 16) & 255, (i >> 8) & 255, i & 255]
        self = bytes.map { b in (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) }.joined(separator: "-")
    }
}

