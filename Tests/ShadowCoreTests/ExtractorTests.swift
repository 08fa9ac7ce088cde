import Testing
@testable import ShadowCore

@Suite("Option 82, Option 18/37 and MAC extractors")
struct ExtractorTests {
    let wire = Option82(circuit: "eth0", remote: "001122334455", subscriber: "id1")

    @Test func option82Examples() {
        #expect(Option82Extractor.remoteOnly.extract(wire) == Option82(remote: "001122334455"))
        #expect(Option82Extractor.circuitOnly.extract(wire) == Option82(circuit: "eth0"))
        #expect(Option82Extractor.circuitAndRemote.extract(wire) == Option82(circuit: "eth0", remote: "001122334455"))
        #expect(Option82Extractor.subscriberOnly.extract(wire) == Option82(subscriber: "id1"))
        #expect(Option82Extractor.normalizeRemoteMAC.extract(Option82(remote: "001122334455")) == Option82(remote: "00-11-22-33-44-55"))
        #expect(Option82Extractor.normalizeRemoteMAC.extract(Option82(remote: "ac:8b:a9:e2:17:f8")) == Option82(remote: "AC-8B-A9-E2-17-F8"))
    }

    @Test(arguments: ["001122334455 ", "001122334455\0", " 001122334455", "001122334455 \0", "001122334455\0 \0", "\t001122334455\n"])
    func remoteOnlyTrim(_ remote: String) {
        #expect(Option82Extractor.remoteOnlyTrim.extract(Option82(remote: remote)) == Option82(remote: "001122334455"))
    }

    @Test func remoteOnlyTrimKeepsLeadingNULAndEmpty() {
        #expect(Option82Extractor.remoteOnlyTrim.extract(Option82(remote: "   ")) == Option82(remote: ""))
        #expect(Option82Extractor.remoteOnlyTrim.extract(Option82(remote: "\0abc")) == Option82(remote: "\0abc"))
        #expect(Option82Extractor.remoteOnlyTrim.extract(Option82(circuit: "x")) == nil)
    }

    @Test func remoteFirst12UFiber() {
        let router = Option82(circuit: "b4fbe4501fda/1/ac8ba9e217f8", remote: "ac8ba9e217f8")
        let bridge = Option82(remote: "ac8ba9e217f8/target")
        #expect(Option82Extractor.remoteFirst12.extract(router) == Option82(remote: "AC-8B-A9-E2-17-F8"))
        #expect(Option82Extractor.remoteFirst12.extract(bridge) == Option82(remote: "AC-8B-A9-E2-17-F8"))
    }

    @Test(arguments: ["ac8ba9e217f", "ac:8b:a9:e2:17:f8", "zc8ba9e217f8/x", "ac8ba9e217fé"])
    func remoteFirst12Nothing(_ remote: String) {
        #expect(Option82Extractor.remoteFirst12.extract(Option82(remote: remote)) == nil)
    }

    @Test func option82Absences() {
        let remoteOnly = Option82(remote: "r")
        #expect(Option82Extractor.circuitOnly.extract(remoteOnly) == nil)
        #expect(Option82Extractor.circuitAndRemote.extract(remoteOnly) == nil)
        #expect(Option82Extractor.subscriberOnly.extract(remoteOnly) == nil)
        #expect(Option82Extractor.remoteOnly.extract(Option82(circuit: "c")) == nil)
        #expect(Option82Extractor.normalizeRemoteMAC.extract(Option82(remote: " 001122334455")) == nil)
    }

    @Test func option82FromWire() {
        let o = Option82(wireCircuit: Array("eth0".utf8), wireRemote: [UInt8](), wireSubscriber: [0xFF, 0xFE])
        #expect(o == Option82(circuit: "eth0"))
        let none = Option82(wireCircuit: nil as [UInt8]?, wireRemote: nil, wireSubscriber: nil)
        #expect(none.isEmpty)
    }

    @Test func option82NamesSorted() {
        #expect(Option82Extractor.allCases.map(\.name).sorted() == ["circuit_and_remote", "circuit_only", "normalize_remote_mac", "remote_first_12", "remote_only", "remote_only_trim", "subscriber_only"])
        #expect(Option1837Extractor.allCases.map(\.name).sorted() == ["all_fields", "interface_and_remote", "interface_only", "remote_only", "remote_with_enterprise"])
        #expect(MACExtractor.allCases.map(\.name) == ["client_linklayer_address", "peer_addr_eui64", "duid"])
    }

    @Test func option1837Examples() {
        let w = Option1837(interface: "eth0/1", remote: "remote-id", enterpriseNumber: 12345)
        #expect(Option1837Extractor.interfaceOnly.extract(w) == Option1837(interface: "eth0/1"))
        #expect(Option1837Extractor.remoteOnly.extract(w) == Option1837(remote: "remote-id"))
        #expect(Option1837Extractor.interfaceAndRemote.extract(w) == Option1837(interface: "eth0/1", remote: "remote-id"))
        #expect(Option1837Extractor.remoteWithEnterprise.extract(w) == Option1837(remote: "remote-id", enterpriseNumber: 12345))
        #expect(Option1837Extractor.allFields.extract(w) == w)
        #expect(Option1837Extractor.interfaceAndRemote.extract(Option1837(interface: "x")) == nil)
        #expect(Option1837Extractor.remoteWithEnterprise.extract(Option1837(remote: "r")) == nil)
        #expect(Option1837Extractor.remoteOnly.extract(Option1837(interface: "x")) == nil)
    }

    @Test func option1837FromWire() {
        let remote: [UInt8] = [0, 0, 0x30, 0x39] + Array("remote-id".utf8)
        let v = Option1837(wireInterfaceID: Array("eth0/1".utf8), wireRemoteID: remote)
        #expect(v == Option1837(interface: "eth0/1", remote: "remote-id", enterpriseNumber: 12345))
        // An empty Interface-ID is present as "".
        #expect(Option1837(wireInterfaceID: [UInt8](), wireRemoteID: nil)?.interface == "")
        // A non-UTF-8 remote-id leaves both remote and enterprise absent.
        #expect(Option1837(wireInterfaceID: Array("x".utf8), wireRemoteID: [0, 0, 0, 1, 0xFF]) == Option1837(interface: "x"))
        // Neither present → nothing.
        #expect(Option1837(wireInterfaceID: [0xFF] as [UInt8], wireRemoteID: [0, 0, 0, 1, 0xFF]) == nil)
        // Binary interface ids that are valid UTF-8 are kept as strings (MikroTik).
        #expect(Option1837(wireInterfaceID: [0, 0, 0, 0x0C], wireRemoteID: nil)?.interface == "\0\0\0\u{0C}")
    }

    @Test func eui64() {
        #expect(MACExtractor.fromEUI64(IPv6Address("fe80::21a:2bff:fe3c:4d5e")!) == MACAddress("00:1A:2B:3C:4D:5E"))
        #expect(MACExtractor.fromEUI64(IPv6Address("fe80::1234:5678:9abc:def0")!) == nil)
        #expect(MACExtractor.fromEUI64(IPv6Address("2001:db8::21a:2bff:fe3c:4d5e")!) == nil)
        #expect(MACExtractor.fromEUI64(IPv6Address("fe80::a55:31ff:fe8f:1998")!) == MACAddress("08-55-31-8F-19-98"))
    }

    @Test func duidMAC() {
        let llt: [UInt8] = [0, 1, 0, 1, 0x12, 0x34, 0x56, 0x78, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55]
        let ll: [UInt8] = [0, 3, 0, 1, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF]
        let en: [UInt8] = [0, 2, 0, 0, 0x30, 0x39, 1, 2, 3]
        let ll32: [UInt8] = [0, 3, 0, 32, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF]
        #expect(MACExtractor.fromDUID(llt) == MACAddress("00:11:22:33:44:55"))
        #expect(MACExtractor.fromDUID(ll) == MACAddress("AA:BB:CC:DD:EE:FF"))
        #expect(MACExtractor.fromDUID(en) == nil)
        #expect(MACExtractor.fromDUID(ll32) == nil)
        #expect(MACExtractor.fromDUID(Array(llt.prefix(13))) == nil)
        #expect(MACExtractor.fromDUID(Array(ll.prefix(9))) == nil)
        #expect(MACExtractor.fromDUID([0, 3, 0] as [UInt8]) == nil)
        // A slice that does not start at index 0.
        let framed = [0xEE] + ll
        #expect(MACExtractor.fromDUID(framed[1...]) == MACAddress("AA:BB:CC:DD:EE:FF"))
    }

    @Test func clientLinkLayer() {
        #expect(MACExtractor.fromClientLinkLayer([0, 1, 0x0A, 0x55, 0x31, 0x8F, 0x19, 0x98] as [UInt8]) == MACAddress("0A-55-31-8F-19-98"))
        #expect(MACExtractor.fromClientLinkLayer([0, 1, 0x0A, 0x55, 0x31, 0x8F, 0x19] as [UInt8]) == nil)
        // The link-layer type is not checked.
        #expect(MACExtractor.fromClientLinkLayer([0, 6, 1, 2, 3, 4, 5, 6] as [UInt8]) == MACAddress("01-02-03-04-05-06"))
    }

    /// The upstream MikroTik capture: the three extractors see three different MACs.
    @Test func mikrotikCaptureGivesThreeMACs() {
        let input = MACExtractionInput(
            clientLinkLayerOption: [0x00, 0x01, 0x0A, 0x55, 0x31, 0x8F, 0x19, 0x98],
            peerAddress: IPv6Address("fe80::a55:31ff:fe8f:1998")!,
            clientID: [0x00, 0x03, 0x00, 0x01, 0x08, 0x55, 0x31, 0x8F, 0x19, 0x94])
        #expect(MACExtractor.clientLinklayerAddress.extract(input)?.description == "0A-55-31-8F-19-98")
        #expect(MACExtractor.peerAddrEUI64.extract(input)?.description == "08-55-31-8F-19-98")
        #expect(MACExtractor.duid.extract(input)?.description == "08-55-31-8F-19-94")
    }

    @Test func macExtractorConfigNames() {
        #expect(MACExtractor(configName: "client_linklayer_address") == .clientLinklayerAddress)
        #expect(MACExtractor(configName: "ClientLinklayerAddress") == .clientLinklayerAddress)
        #expect(MACExtractor(configName: "PeerAddrEui64") == .peerAddrEUI64)
        #expect(MACExtractor(configName: "Duid") == .duid)
        #expect(MACExtractor(configName: "DUID") == nil)
    }
}
