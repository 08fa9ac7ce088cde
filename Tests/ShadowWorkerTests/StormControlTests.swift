import DHCPWireKit
import DHCPv4
import IPC
import Logging
import ShadowCore
import Testing
@testable import ShadowWorker

/// Storm control (docs/dhcpv4.md, "Storm control"): the token bucket's refill and burst, the
/// bounded table's eviction and fixed memory, and the handlers' drops counted by reason.
@Suite("Storm control")
struct StormControlTests {
    static func key(_ n: Int) -> UInt64 {
        withUnsafeBytes(of: UInt64(n)) { StormKey.of($0, domain: StormKey.clientDomain) }
    }

    @Test func aNewKeyHasABurstOfOneSecondThenNothingUntilRefilled() {
        let table = TokenBucketTable(slotCount: 16, perSecond: 10)
        defer { table.deallocate() }
        #expect(table.burst == 10)
        let admitted = (0..<25).filter { _ in table.take(Self.key(1), now: 1000) >= 0 }.count
        #expect(admitted == 10)
        // 100 ms at 10/s is one token; 99 ms is not.
        #expect(table.take(Self.key(1), now: 1099) < 0)
        #expect(table.take(Self.key(1), now: 1100) >= 0)
        #expect(table.take(Self.key(1), now: 1100) < 0)
        // Thousandths carry over: 50 ms + 50 ms make a token.
        #expect(table.take(Self.key(1), now: 1150) < 0)
        #expect(table.take(Self.key(1), now: 1200) >= 0)
    }

    /// The client table of a worker (at most 1 MiB) costs no memory until keys arrive: made from fresh
    /// zeroed pages, it writes none of them, and reads as empty.
    @Test func aNewTableIsEmptyAndHoldsNoResidentPages() {
        let table = TokenBucketTable(slotCount: RateLimiter.maximumClientSlots, perSecond: 10)
        defer { table.deallocate() }
        #expect(table.byteCount == 1 << 20)
        #expect(table.residentByteCount == 0)
        #expect(table.tokens(Self.key(7)) == nil)
        // One key: its home slot's page only.
        #expect(table.take(Self.key(7), now: 5) >= 0)
        #expect(table.residentByteCount == 4096)
        #expect(table.tokens(Self.key(7)) == 9)
        #expect(table.occupiedCount == 1)
    }

    @Test func refillStopsAtTheBurst() {
        let table = TokenBucketTable(slotCount: 16, perSecond: 5)
        defer { table.deallocate() }
        _ = table.take(Self.key(2), now: 0)
        // An hour idle refills 5 tokens, not 18,000.
        let admitted = (0..<20).filter { _ in table.take(Self.key(2), now: 3_600_000) >= 0 }.count
        #expect(admitted == 5)
    }

    @Test func aRateBelowOnePerBurstStillAdmitsOne() {
        let table = TokenBucketTable(slotCount: 4, perSecond: 1)
        defer { table.deallocate() }
        #expect(table.burst == 1)
        #expect(table.take(Self.key(3), now: 0) >= 0)
        #expect(table.take(Self.key(3), now: 999) < 0)
        #expect(table.take(Self.key(3), now: 1999) >= 0)
    }

    @Test func theClockMayWrap() {
        let table = TokenBucketTable(slotCount: 4, perSecond: 1)
        defer { table.deallocate() }
        #expect(table.take(Self.key(4), now: UInt32.max - 10) >= 0)
        #expect(table.take(Self.key(4), now: UInt32.max) < 0)
        #expect(table.take(Self.key(4), now: 990) >= 0)  // 1,001 ms later
    }

    @Test func keysAreIndependent() {
        let table = TokenBucketTable(slotCount: 1024, perSecond: 2)
        defer { table.deallocate() }
        for k in 0..<100 {
            #expect(table.take(Self.key(k), now: 0) >= 0)
            #expect(table.take(Self.key(k), now: 0) >= 0)
            #expect(table.take(Self.key(k), now: 0) < 0)
        }
        #expect(table.occupiedCount == 100)
    }

    @Test func memoryIsFixedAndTheLeastRecentKeyIsEvicted() {
        let table = TokenBucketTable(slotCount: 64, perSecond: 1)
        defer { table.deallocate() }
        #expect(table.slotCount == 64 && table.byteCount == 64 * 16)
        // Far more keys than slots: the table never holds more than its slots.
        for k in 0..<10_000 { _ = table.take(Self.key(k), now: UInt32(k)) }
        #expect(table.occupiedCount == 64)
        #expect(table.byteCount == 64 * 16)
        // The most recent keys are there, the oldest were evicted (and come back with a full bucket).
        #expect(table.tokens(Self.key(9_999)) == 0)
        #expect(table.tokens(Self.key(0)) == nil)
        #expect(table.take(Self.key(0), now: 10_000) >= 0)
    }

    @Test func evictionPicksTheLeastRecentlyTouchedOfTheProbeWindow() {
        // 4 slots, probe length 4: every key competes for the same four slots.
        let table = TokenBucketTable(slotCount: 4, perSecond: 1)
        defer { table.deallocate() }
        for k in 0..<4 { _ = table.take(Self.key(k), now: UInt32(100 + k)) }
        _ = table.take(Self.key(0), now: 200)  // key 0 is now the most recent
        _ = table.take(Self.key(9), now: 201)  // evicts key 1, the least recent
        #expect(table.tokens(Self.key(1)) == nil)
        #expect(table.tokens(Self.key(0)) != nil && table.tokens(Self.key(9)) != nil)
        #expect(table.occupiedCount == 4)
    }

    @Test func refundGivesTheTokenBack() {
        let table = TokenBucketTable(slotCount: 4, perSecond: 1)
        defer { table.deallocate() }
        let slot = table.take(Self.key(5), now: 0)
        #expect(table.take(Self.key(5), now: 0) < 0)
        table.refund(slot)
        #expect(table.take(Self.key(5), now: 0) >= 0)
    }

    @Test func limiterTablesFollowTheSettings() throws {
        #expect(RateLimiter(.unlimited, reservations: 100_000) == nil)
        let defaults = try #require(RateLimiter(RateLimitSettings(), reservations: 100_000))
        #expect(defaults.clients?.slotCount == 65_536 && defaults.relays == nil)
        #expect(defaults.byteCount == 65_536 * 16)
        let both = try #require(RateLimiter(RateLimitSettings(perClientPerSecond: 0, perRelayPerSecond: 5000), reservations: 100_000))
        #expect(both.clients == nil && both.relays?.slotCount == 4096 && both.relays?.burst == 5000)
        #expect(both.fit(reservations: 10) == false, "no client table, nothing to size")
    }

    /// Twice the reservations, a power of two from 4,096 (64 KiB) to 65,536 (1 MiB): 512 KiB at
    /// 10,000 reservations.
    @Test func theClientTableIsSizedToTheReservations() throws {
        let sizes = [0, 1, 2_048, 2_049, 10_000, 16_384, 16_385, 32_768, 1_000_000].map { RateLimiter.clientSlots(reservations: $0) }
        #expect(sizes == [4_096, 4_096, 4_096, 8_192, 32_768, 32_768, 65_536, 65_536, 65_536])
        let limiter = try #require(RateLimiter(RateLimitSettings(), reservations: 10_000))
        #expect(limiter.clients?.slotCount == 32_768 && limiter.byteCount == 512 * 1024)
    }

    /// A snapshot that asks for another size makes the table again with every bucket as it was
    /// (tokens and refill time); one that asks for the same size keeps the table.
    @Test func aResizedTableKeepsEveryBucket() throws {
        let limiter = try #require(RateLimiter(RateLimitSettings(perClientPerSecond: 3, perRelayPerSecond: 0), reservations: 0))
        let before = try #require(limiter.clients)
        #expect(before.slotCount == 4_096)
        for k in 0..<1_000 {
            for _ in 0..<(k % 4) { _ = before.take(Self.key(k), now: 500) }
        }
        #expect(limiter.fit(reservations: 1_000) == false)
        #expect(limiter.fit(reservations: 20_000))
        let grown = try #require(limiter.clients)
        #expect(grown.slotCount == 65_536 && grown.occupiedCount == 750)
        for k in 0..<1_000 {
            #expect(grown.tokens(Self.key(k)) == (k % 4 == 0 ? nil : 3 - k % 4), "key \(k)")
        }
        // The refill time came along: 333 ms at 3/s is not a token yet, 334 ms is.
        let emptied = 3
        #expect(grown.take(Self.key(emptied), now: 833) < 0)
        #expect(grown.take(Self.key(emptied), now: 834) >= 0)
        #expect(limiter.fit(reservations: 0))
        let shrunk = try #require(limiter.clients)
        #expect(shrunk.slotCount == 4_096 && shrunk.occupiedCount == 750)
        #expect(shrunk.tokens(Self.key(1)) == 2 && shrunk.tokens(Self.key(2)) == 1)
    }

    /// Shrinking to fewer slots than keys keeps the most recently refilled ones of each probe
    /// window and never more keys than slots.
    @Test func aShrunkTableKeepsTheMostRecentKeys() {
        let big = TokenBucketTable(slotCount: 64, perSecond: 1)
        for k in 0..<64 { _ = big.take(Self.key(k), now: UInt32(1_000 + k)) }
        let present = (0..<64).filter { big.tokens(Self.key($0)) != nil }
        let small = TokenBucketTable(slotCount: 4, carrying: big)
        big.deallocate()
        defer { small.deallocate() }
        #expect(present.count > 4 && small.occupiedCount == 4)
        // Every key competes for the same four slots: the four refilled last stay.
        let kept = (0..<64).filter { small.tokens(Self.key($0)) != nil }
        #expect(kept == Array(present.suffix(4)))
    }

    @Test func theChaddrKeyDependsOnItsFirstHlenBytesOnly() {
        var d = Self.discover(MACAddress("02-00-5e-10-00-01")!, giaddr: IPv4Address(192, 0, 2, 1))
        for i in 0..<16 { d[28 + i] = UInt8(0xA0 + i) }
        var keys = Set<UInt64>()
        for hlen in 0...16 {
            d[2] = UInt8(hlen)
            keys.insert(d.withUnsafeBytes { StormKey.chaddr($0) })
        }
        #expect(keys.count == 17, "every length a key of its own")
        d[2] = 200  // more than 16: the 16 bytes of the field
        #expect(d.withUnsafeBytes { StormKey.chaddr($0) } == { var e = d; e[2] = 16; return e.withUnsafeBytes { StormKey.chaddr($0) } }())
        for hlen in [6, 8, 12] {
            d[2] = UInt8(hlen)
            let key = d.withUnsafeBytes { StormKey.chaddr($0) }
            var past = d
            past[28 + hlen] ^= 0xFF  // past hlen: the same key
            #expect(past.withUnsafeBytes { StormKey.chaddr($0) } == key)
            var within = d
            within[28 + hlen - 1] ^= 0xFF  // within: another key
            #expect(within.withUnsafeBytes { StormKey.chaddr($0) } != key)
        }
    }

    /// A DHCPv4 DISCOVER through `relay` (giaddr) from `mac`, as bytes.
    static func discover(_ mac: MACAddress, giaddr: IPv4Address) -> [UInt8] {
        var d = DHCPv4PacketBuilder(type: .discover, mac: mac, giaddr: giaddr)
        d.relayAgentInformation(circuit: "eth1:100", remote: "olt-7")
        return d.bytes
    }

    @Test func v4ClientBucketRefusesBeforeTheRelayIsCharged() throws {
        let limiter = try #require(RateLimiter(RateLimitSettings(perClientPerSecond: 2, perRelayPerSecond: 3), reservations: 100_000))
        let a = Self.discover(MACAddress("02-00-5e-10-00-01")!, giaddr: IPv4Address(192, 0, 2, 1))
        let b = Self.discover(MACAddress("02-00-5e-10-00-02")!, giaddr: IPv4Address(192, 0, 2, 1))
        func admit(_ bytes: [UInt8]) -> RateVerdict { bytes.withUnsafeBytes { limiter.buckets.admitV4($0, now: 0) } }
        #expect(admit(a) == .admitted && admit(a) == .admitted)
        #expect(admit(a) == .client)  // refused by its own bucket: the relay keeps its third token
        #expect(admit(b) == .admitted)
        #expect(admit(b) == .relay)   // the relay's three are spent; b's token is given back
        let direct = Self.discover(MACAddress("02-00-5e-10-00-02")!, giaddr: .any)
        #expect(admit(direct) == .admitted)  // no giaddr: no relay bucket, b still has one token
        #expect(admit(direct) == .client)
    }

    @Test func handlerDropsAnsweredRequestsOverTheClientRateAndCountsThem() throws {
        var sink = WorkerSink(for: V4PacketHandler.self, logger: Logger(label: "test"), eventsEnabled: false)
        sink.rateLimiter = RateLimiter(RateLimitSettings(perClientPerSecond: 3, perRelayPerSecond: 0), reservations: 100_000)
        sink.nowMilliseconds = 5000
        var reply = [UInt8](repeating: 0, count: 1500)
        var answered = 0
        let discover = Self.discover(BindingRefreshTests.mac, giaddr: IPv4Address(127, 0, 0, 1))
        for _ in 0..<10 {
            let r = discover.withUnsafeBytes { datagram in
                reply.withUnsafeMutableBytes { buffer in
                    BindingRefreshTests.handler.handle(datagram, from: .v4(IPv4Address(127, 0, 0, 1), port: 67),
                                                       snapshot: BindingRefreshTests.snapshot, bindings: BindingTable(),
                                                       shares: .standalone, reply: buffer, sink: &sink)
                }
            }
            if r != nil { answered += 1 }
        }
        #expect(answered == 3)
        #expect(sink.counters["reply.Offer"] == 3 && sink.counters["drop.RateLimitedClient"] == 7)
        // A request that is not answered (no reservation) takes no token and counts as before.
        var d = DHCPv4PacketBuilder(type: .discover, mac: MACAddress("02-00-5e-10-00-77")!, giaddr: IPv4Address(127, 0, 0, 1))
        d.relayAgentInformation(circuit: "x", remote: "nobody")
        for _ in 0..<5 {
            _ = d.bytes.withUnsafeBytes { datagram in
                reply.withUnsafeMutableBytes { buffer in
                    BindingRefreshTests.handler.handle(datagram, from: .v4(IPv4Address(127, 0, 0, 1), port: 67),
                                                       snapshot: BindingRefreshTests.snapshot, bindings: BindingTable(),
                                                       shares: .standalone, reply: buffer, sink: &sink)
                }
            }
        }
        #expect(sink.counters["drop.NoReservation"] == 5 && sink.counters["drop.RateLimitedClient"] == 7)
        // A second later the client is answered again.
        sink.nowMilliseconds = 6000
        let later = discover.withUnsafeBytes { datagram in
            reply.withUnsafeMutableBytes { buffer in
                BindingRefreshTests.handler.handle(datagram, from: .v4(IPv4Address(127, 0, 0, 1), port: 67),
                                                   snapshot: BindingRefreshTests.snapshot, bindings: BindingTable(),
                                                   shares: .standalone, reply: buffer, sink: &sink)
            }
        }
        #expect(later != nil)
    }

    /// Runs `datagram` through the v6 handler of ``LastServedRecordingTests`` from `source` with
    /// `sink`; whether it was answered.
    static func handleV6(_ datagram: [UInt8], from source: IPv6Address, _ sink: inout WorkerSink) -> Bool {
        var reply = [UInt8](repeating: 0, count: 1500)
        return datagram.withUnsafeBytes { d in
            reply.withUnsafeMutableBytes { buffer in
                LastServedRecordingTests.v6.handle(d, from: .v6(source, port: 547), snapshot: LastServedRecordingTests.snapshot,
                                                   bindings: BindingTable(), shares: .standalone, reply: buffer, sink: &sink)
            }
        } != nil
    }

    @Test func v6ClientBucketIsKeyedByTheDUIDHashTheEngineMadeForItsLookup() throws {
        // The engine's event carries the lookup's hash of the Client Identifier.
        var reply = [UInt8](repeating: 0, count: 1500)
        let solicit = LastServedRecordingTests.v6(1, serverID: false)
        let outcome = solicit.withUnsafeBytes { d in
            reply.withUnsafeMutableBytes { buffer in
                LastServedRecordingTests.v6.engine.handle(datagram: d, source: IPv6Address("::1")!, sourcePort: 547,
                                                          snapshot: LastServedRecordingTests.snapshot, bindings: BindingTable(),
                                                          shares: .standalone, holdCorrelation: false, reply: buffer)
            }
        }
        let duidHash = LastServedRecordingTests.duid.bytes.withUnsafeBytes { SnapshotLayout.duidHash($0) }
        #expect(outcome.event.clientIDHash == duidHash)

        // Three a second for the client: the fourth Solicit is refused and counted.
        var sink = WorkerSink(for: V6PacketHandler.self, logger: Logger(label: "test"), eventsEnabled: false)
        let limiter = try #require(RateLimiter(RateLimitSettings(perClientPerSecond: 3, perRelayPerSecond: 0), reservations: 100_000))
        sink.rateLimiter = limiter
        sink.nowMilliseconds = 5000
        let answered = (0..<10).filter { _ in Self.handleV6(solicit, from: IPv6Address("::1")!, &sink) }.count
        #expect(answered == 3)
        #expect(sink.counters["drop.RateLimitedClient"] == 7)
        #expect(limiter.clients?.tokens(duidHash) == 0, "the bucket is the DUID hash's")
        sink.nowMilliseconds = 6000
        #expect(Self.handleV6(solicit, from: IPv6Address("::1")!, &sink))
    }

    @Test func v6RelayBucketCountsRelayForwardsFromItsSourceOnly() throws {
        var sink = WorkerSink(for: V6PacketHandler.self, logger: Logger(label: "test"), eventsEnabled: false)
        let limiter = try #require(RateLimiter(RateLimitSettings(perClientPerSecond: 0, perRelayPerSecond: 2), reservations: 100_000))
        sink.rateLimiter = limiter
        #expect(limiter.clients == nil && limiter.relays?.burst == 2)
        let solicit = LastServedRecordingTests.v6(1, serverID: false)
        let a = IPv6Address("::1")!, b = IPv6Address("2001:db8::2")!
        #expect(Self.handleV6(solicit, from: a, &sink) && Self.handleV6(solicit, from: a, &sink))
        #expect(!Self.handleV6(solicit, from: a, &sink), "relay a's two tokens are spent")
        #expect(sink.counters["drop.RateLimitedRelay"] == 1)
        #expect(Self.handleV6(solicit, from: b, &sink), "relay b has a bucket of its own")
    }
}
