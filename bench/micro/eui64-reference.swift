import ShadowCore
/// The previous fromEUI64 (array of six bytes) for the A/B.
func oldEUI64(_ a: IPv6Address) -> MACAddress? {
    guard a.isLinkLocal, a[byte: 11] == 0xFF, a[byte: 12] == 0xFE else { return nil }
    return MACAddress(bytes: [a[byte: 8] ^ 0x02, a[byte: 9], a[byte: 10], a[byte: 13], a[byte: 14], a[byte: 15]])
}
func euiRound() {
    let peers = (0..<8).map { IPv6Address(high: 0xFE80_0000_0000_0000, low: 0x0211_22FF_FE33_4400 | UInt64($0)) }
    var sink: UInt64 = 0
    var t = cpu()
    for i in 0..<n { sink &+= oldEUI64(peers[i & 7])?.value ?? 1 }
    let old = (cpu() - t) / Double(n)
    t = cpu()
    for i in 0..<n { sink &+= MACExtractor.fromEUI64(peers[i & 7])?.value ?? 1 }
    let new = (cpu() - t) / Double(n)
    print("fromEUI64: array-building copy in this module \(old) ns, MACExtractor.fromEUI64 of this revision \(new) ns (checksum \(sink))")
}
