import Glibc
import ShadowCore
// Cross-module calls of the small ShadowCore helpers, from a client module (as an engine calls them).
func cpu() -> Double { var t = timespec(); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec) }
let n = 5_000_000
let packet: [UInt8] = [0, 1, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55] + Array("ge-0/0/1.100".utf8) + [0, 0, 0x13, 0x0a] + Array("sub-13".utf8) + [0, 3, 0, 1, 2, 0, 0, 0, 0, 1]
let peers = (0..<8).map { IPv6Address(high: 0xFE80_0000_0000_0000, low: 0x0211_22FF_FE33_4400 | UInt64($0)) }
func time(_ name: String, _ body: (Int) -> Int) {
    var sink = 0
    let t = cpu()
    for i in 0..<n { sink &+= body(i) }
    print("\(name): \(Double(Int((cpu() - t) / Double(n) * 10)) / 10) ns (\(sink & 0xFF))")
}
packet.withUnsafeBytes { b in
    for _ in 0..<2 {
        time("MACAddress(bytes:) over a raw buffer slice") { i in Int(truncatingIfNeeded: MACAddress(bytes: b[2..<8]).value) &+ i }
        time("MACExtractor.fromClientLinkLayer(raw slice)") { i in Int(truncatingIfNeeded: MACExtractor.fromClientLinkLayer(b[0..<8])?.value ?? 0) &+ i }
        time("MACExtractor.fromEUI64") { i in Int(truncatingIfNeeded: MACExtractor.fromEUI64(peers[i & 7])?.value ?? 0) }
        time("MACExtractor.fromDUID(raw slice)") { i in Int(truncatingIfNeeded: MACExtractor.fromDUID(b[30..<40])?.value ?? 0) &+ i }
        time("Option82(wireCircuit:wireRemote:wireSubscriber:) raw slices") { _ in
            Option82(wireCircuit: b[8..<20], wireRemote: b[24..<30], wireSubscriber: nil).circuit?.utf8.count ?? 0 }
        time("Option1837(wireInterfaceID:wireRemoteID:) raw slices") { _ in
            Option1837(wireInterfaceID: b[8..<20], wireRemoteID: b[20..<30])?.remote?.utf8.count ?? 0 }
    }
}
