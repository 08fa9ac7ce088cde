/// A 128-bit hash of one entry's exact bytes, under a key drawn at random when the process
/// starts (docs/performance.md, "Reload: entries not parsed again").
///
/// Two 64-bit lanes, each with its own half of the key, read the bytes 8 at a time; each word is
/// mixed in with a full 64 × 64 → 128-bit multiplication by the lane's key, folded (high ^ low).
/// The key enters every step, so how a difference in the input travels through a lane depends on
/// the key, which never leaves the process: two different entries that hash alike cannot be
/// prepared offline. Not a cryptographic hash — the bytes come from the operator's own file, the
/// hash is never shown, and a match only ever stands for bytes that parsed cleanly before — and
/// several times cheaper per entry than SHA-256 (docs/performance.md has both measured).
struct EntryHash: Hashable, Sendable {
    var a: UInt64
    var b: UInt64
}

struct EntryHasher: Sendable {
    let keyA: UInt64
    let keyB: UInt64

    /// Odd multipliers, so that no key bit is lost to a factor of two.
    init(seed: (UInt64, UInt64)) {
        keyA = seed.0 | 1
        keyB = seed.1 | 1
    }

    /// The hasher of this process, keyed from ``SystemRandomNumberGenerator`` on first use.
    static let process: EntryHasher = {
        var g = SystemRandomNumberGenerator()
        return EntryHasher(seed: (g.next(), g.next()))
    }()

    @inline(__always)
    private static func step(_ state: UInt64, _ word: UInt64, _ key: UInt64) -> UInt64 {
        let (high, low) = (state ^ word).multipliedFullWidth(by: key)
        return high ^ low
    }

    /// The hash of `bytes`: the length, then each little-endian word (a length that is not a
    /// multiple of 8 ends with the last 8 bytes, overlapping the word before; fewer than 8 bytes
    /// are one zero-padded word), then MurmurHash3's `fmix64` on each lane.
    @inline(__always)
    func hash(_ bytes: UnsafeRawBufferPointer) -> EntryHash {
        let n = bytes.count
        var a = Self.step(0x243F_6A88_85A3_08D3, UInt64(n), keyA)
        var b = Self.step(0x1319_8A2E_0370_7344, UInt64(n), keyB)
        if n >= 8 {
            var i = 0
            while i + 8 <= n {
                let w = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                a = Self.step(a, w, keyA)
                b = Self.step(b, w, keyB)
                i += 8
            }
            if i < n {
                let w = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
                a = Self.step(a, w, keyA)
                b = Self.step(b, w, keyB)
            }
        } else {
            var w: UInt64 = 0
            for i in 0..<n { w |= UInt64(bytes[i]) << (UInt64(i) * 8) }
            a = Self.step(a, w, keyA)
            b = Self.step(b, w, keyB)
        }
        return EntryHash(a: SnapshotLayout.fmix64(a), b: SnapshotLayout.fmix64(b))
    }
}
