import Testing
@testable import ShadowCore

@Suite("MAC addresses and DUIDs")
struct IdentifierTests {
    @Test(arguments: ["001122334455", "0x001122334455", "00-11-22-33-44-55", "00:11:22:33:44:55",
                      "0011.2233.4455", "00:11:22:33:44:55".uppercased()])
    func macForms(_ text: String) throws {
        let mac = try #require(MACAddress(text))
        #expect(mac.description == "00-11-22-33-44-55")
        #expect(mac.bytes == [0x00, 0x11, 0x22, 0x33, 0x44, 0x55])
    }

    @Test func macCaseAndCanonical() {
        #expect(MACAddress("aa:bb:cc:dd:ee:ff")?.description == "AA-BB-CC-DD-EE-FF")
        #expect(MACAddress("AaBbCcDdEeFf")?.description == "AA-BB-CC-DD-EE-FF")
        #expect(MACAddress(MACAddress("aa-bb-cc-dd-ee-ff")!.description) == MACAddress("AABBCCDDEEFF"))
    }

    @Test(arguments: ["00-11:22-33-44-55", "0X001122334455", " 001122334455", "001122334455 ", "00112233445",
                      "0011223344556", "00-11-22-33-44-5", "0-11-22-33-44-555", "0011.2233.445g", "00112233445g",
                      "0011:2233:4455", "", "00_11_22_33_44_55"])
    func macRejects(_ text: String) {
        #expect(MACAddress(text) == nil)
    }

    @Test func duidColonAndDashAgree() throws {
        let colon = "29:30:31:32:33:34:35:36:37:38:39:40:41:42:43:44"
        let dash = colon.replacing(":", with: "-")
        let a = try #require(DUID(colon))
        let b = try #require(DUID(dash))
        #expect(a == b)
        #expect(a.bytes.count == 16)
        #expect(a.description == colon)
        #expect(b.description == colon)
    }

    @Test func duidLenientGroups() {
        #expect(DUID("00:0a:a:00a")?.bytes == [0, 10, 10, 10])
        #expect(DUID("  AA:BB:CC  ")?.description == "aa:bb:cc")
        #expect(DUID("00:01")?.bytes == [0, 1])
    }

    @Test(arguments: ["", "aa", "a:bb", "aa::bb", "aa:bb:", "aa:1ff", "aa:bb-cc", "aa bb cc", "zz:zz", "aa.bb.cc"])
    func duidRejects(_ text: String) {
        #expect(DUID.parse(text) == .failure(.invalidFormat))
    }

    @Test func duidLength() {
        let ok = Array(repeating: "ab", count: 130).joined(separator: ":")
        let long = Array(repeating: "ab", count: 131).joined(separator: ":")
        #expect(DUID(ok)?.bytes.count == 130)
        #expect(DUID.parse(long) == .failure(.tooLong))
        #expect(DUID.ParseError.tooLong.description == "DUID exceeds maximum length of 130 bytes")
    }
}

