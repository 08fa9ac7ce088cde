// bench-load: how long loading reservations takes and how much memory it needs.
//
//   bench-load N [N ...]        generate (once) and measure each size in a fresh process
//   bench-load --generate N F   write N synthetic reservations to F
//   bench-load --measure F      read + parse + validate + index F, print times and memory
//   bench-load --master F       the master's path of a start or reload, phase by phase: read,
//                               parse + validate, plan, encode, digest, check the image
//   bench-load --master F --memo   the same, the parse also building the memo a reload uses
//   bench-load --reload F [F2]  loads F (building the memo), then times the master's path for F2
//                               (default F again) with that memo, and says how many entries it
//                               took from the memo (ReservationMemo, docs/performance.md)
//
// The parse runs in pieces on one thread per CPU, as in the master and ops; BENCH_LOAD_SERIAL=1
// parses on one thread (to compare).
// Build in release: swift build -c release --product bench-load
import Foundation
import IPC
import ShadowCore
import ShadowSystem

/// Threads the parse may use: the master's and ops's, or one (BENCH_LOAD_SERIAL=1).
let parseWork = ProcessInfo.processInfo.environment["BENCH_LOAD_SERIAL"] == "1" ? ParallelWork.serial : .threads

/// The one subnet every generated `ipv4` lies in.
let subnets = [SubnetV4(net: IPv4Network("100.64.0.0/10")!, gateway: IPv4Address("100.64.0.1")!)]

/// Reservation `i`: 40 % MAC only, 40 % Option 82 only, 20 % DUID plus MAC.
func reservation(_ i: Int) -> Reservation {
    let n = UInt64(i)
    var r = Reservation(ipv4: IPv4Address(0x6440_0000 + UInt32(i) + 2),
                        ipv6NA: IPv6Address(high: 0x2001_0db8_0000_0000, low: n + 1),
                        ipv6PD: IPv6Prefix(address: IPv6Address(high: 0x2001_0db8_8000_0000 + (n << 8), low: 0),
                                           prefixLength: 56))
    switch i % 5 {
    case 0, 1: r.mac = MACAddress(value: 0x0200_0000_0000 + n)
    case 2, 3: r.option82 = Option82(circuit: "olt\(i % 64)/1/\(i % 16)", remote: "sub-\(i)")
    default:
        r.mac = MACAddress(value: 0x0200_0000_0000 + n)
        r.duid = DUID(bytes: [0, 3, 0, 1, 0x02, 0, UInt8(truncatingIfNeeded: n >> 24),
                              UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8),
                              UInt8(truncatingIfNeeded: n)])
    }
    return r
}

func generate(count: Int, path: String) {
    let text = ReservationPersistence.persistedJSON((0..<count).map(reservation))
    precondition(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)), "cannot write \(path)")
}

/// `VmHWM` and `VmRSS` from /proc/self/status, in MiB.
func memory() -> (peak: Double, current: Double) {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func field(_ name: String) -> Double {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
        return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
    }
    return (field("VmHWM"), field("VmRSS"))
}

/// Reads a whole file the way the master does (``FileSystem/contents(of:)``).
func readFile(_ path: String) -> [UInt8] {
    do { return try FileSystem.contents(of: path) } catch { fatalError("cannot read \(path): \(error)") }
}

/// User + system CPU seconds used by this process so far.
func cpuTime() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
}

func seconds(_ d: Duration) -> String {
    let c = d.components
    return String(format: "%.3f s", Double(c.seconds) + Double(c.attoseconds) / 1e18)
}

func cpu(_ s: Double) -> String { String(format: "%.3f s", s) }

func measure(path: String) {
    let clock = ContinuousClock()
    let start = clock.now
    let cpuStart = cpuTime()
    var bytes = readFile(path)
    let afterRead = clock.now
    let cpuRead = cpuTime()
    let loaded: Loaded<[Reservation]>
    do {
        loaded = try ReservationLoader.load(bytes, subnets: subnets, work: parseWork)
    } catch {
        print(error.description)
        exit(1)
    }
    let afterLoad = clock.now
    let cpuLoad = cpuTime()
    let memLoad = memory()
    let fileSize = bytes.count
    bytes = []
    let snapshot = ReservationSnapshot(reservations: loaded.value)
    let end = clock.now
    let cpuEnd = cpuTime()
    let mem = memory()
    // Per-reservation changes: the master's working copy and the file a commit writes.
    let t0 = clock.now
    var store = ReservationStore(loaded.value)
    let t1 = clock.now
    _ = store.persistedBytes()
    let t2 = clock.now
    let probe = loaded.value[loaded.value.count / 2]
    var changed = probe
    changed.ipv6NA = IPv6Address(high: changed.ipv6NA.high ^ 0xFFFF, low: changed.ipv6NA.low)
    _ = store.apply([ReservationChange(.update(match: nil, changed), source: "bench")])
    let t3 = clock.now
    let second = store.persistedBytes()
    let t4 = clock.now
    let full = ReservationPersistence.persistedBytes(store.reservations)
    let t5 = clock.now
    precondition(second == full, "incremental file differs")
    // Management `diff`: the same list with one entry in 100 changed, against the snapshot.
    var edited = loaded.value
    for i in stride(from: 0, to: edited.count, by: 100) {
        edited[i].ipv6NA = IPv6Address(high: edited[i].ipv6NA.high ^ 0xFFFF, low: edited[i].ipv6NA.low)
    }
    let d0 = clock.now
    let dc0 = cpuTime()
    let diff = ReservationDiff(old: snapshot, new: edited)
    let d1 = clock.now
    let dc1 = cpuTime()
    print("""
        diff: \(diff.changed.count) changed, \(diff.unchanged) unchanged of \(edited.count) in \(seconds(d1 - d0)) \
        (cpu \(cpu(dc1 - dc0)))
        """)
    print("""
        changes: working copy \(seconds(t1 - t0)), first file \(seconds(t2 - t1)), one update \(seconds(t3 - t2)), \
        next file \(seconds(t4 - t3)) (a full ReservationPersistence write: \(seconds(t5 - t4)))
        """)
    print("""
        file \(path): \(fileSize / 1_048_576) MiB, \(snapshot.count) reservations, \(snapshot.keyCount) keys, \
        \(loaded.warnings.count) warnings, parsed on \(parseWork.width) thread(s)
          read \(seconds(afterRead - start)), parse+validate \(seconds(afterLoad - afterRead)), \
        index \(seconds(end - afterLoad)), total \(seconds(end - start))
          cpu: read \(cpu(cpuRead - cpuStart)), parse+validate \(cpu(cpuLoad - cpuRead)), \
        index \(cpu(cpuEnd - cpuLoad)), total \(cpu(cpuEnd - cpuStart))
          memory after parse+validate: peak \(String(format: "%.0f", memLoad.peak)) MiB, current \(String(format: "%.0f", memLoad.current)) MiB
          memory at the end: peak (VmHWM) \(String(format: "%.0f", mem.peak)) MiB, current (VmRSS) \(String(format: "%.0f", mem.current)) MiB
        """)
}

/// The master's steps from file to published image (ConfigDirectory.loadReservations, then
/// SnapshotPublisher.prepare), each timed: wall clock and CPU of the whole process.
///
/// With `memo`, the parse takes the entries it can from it and replaces it with its own.
func masterPath(path: String, memo: inout ReservationMemo?) {
    let clock = ContinuousClock()
    var marks: [(String, ContinuousClock.Instant, Double)] = [("", clock.now, cpuTime())]
    func mark(_ name: String) { marks.append((name, clock.now, cpuTime())) }
    let bytes = readFile(path)
    mark("read")
    let loaded: Loaded<[Reservation]>
    do {
        if var m = memo {
            loaded = try ReservationLoader.load(bytes, subnets: subnets, work: parseWork, memo: &m)
            memo = m
        } else {
            loaded = try ReservationLoader.load(bytes, subnets: subnets, work: parseWork)
        }
    } catch {
        print(error.description)
        exit(1)
    }
    mark("parse+validate")
    let plan = try! SnapshotCodec.plan(loaded.value)
    let size = plan.byteCount
    mark("plan")
    // As SnapshotPublisher and a worker: a sealed memory file, written and then mapped again.
    var announcement: SnapshotAnnouncement?
    let file = try! SealedMemoryFile.create(name: "bench-load", byteCount: size) { image in
        SnapshotCodec.encode(loaded.value, plan: plan, into: image, work: parseWork)
        mark("encode")
        announcement = SnapshotCodec.announcement(for: UnsafeRawBufferPointer(image), snapshotGeneration: 1,
                                                  reservationCount: loaded.value.count)
        mark("digest")
    }
    defer { try? file.close() }
    let mapping = try! ReadOnlyMapping(descriptor: file, expectedByteCount: size)
    let view = try! SnapshotCodec.open(mapping.bytes, announcement: announcement!, owner: mapping)
    mark("open (map + digest + check)")
    var line = "\(view.count) reservations, \(size) bytes of image, \(parseWork.width) thread(s):"
    if let memo { line += " \(memo.statistics.reused) reused, \(memo.statistics.parsed) parsed, \(memo.count) remembered;" }
    for k in 1..<marks.count {
        line += String(format: " %@ %.3f s (cpu %.3f)", marks[k].0, Double((marks[k].1 - marks[k - 1].1).components.attoseconds) / 1e18
                       + Double((marks[k].1 - marks[k - 1].1).components.seconds), marks[k].2 - marks[k - 1].2)
    }
    line += String(format: "; total %.3f s", Double((marks.last!.1 - marks[0].1).components.attoseconds) / 1e18
                   + Double((marks.last!.1 - marks[0].1).components.seconds))
    print(line)
}

let args = CommandLine.arguments
switch args.dropFirst().first {
case "--generate" where args.count == 4:
    generate(count: Int(args[2])!, path: args[3])
case "--measure" where args.count == 3:
    measure(path: args[2])
case "--master" where args.count == 3:
    var none: ReservationMemo?
    masterPath(path: args[2], memo: &none)
case "--master" where args.count == 4 && args[3] == "--memo":
    var memo: ReservationMemo? = ReservationMemo()
    masterPath(path: args[2], memo: &memo)
case "--reload" where args.count == 3 || args.count == 4:
    var memo: ReservationMemo? = ReservationMemo()
    print("first load: ", terminator: "")
    masterPath(path: args[2], memo: &memo)
    print("reload:     ", terminator: "")
    masterPath(path: args.count == 4 ? args[3] : args[2], memo: &memo)
case .some(let first) where Int(first) != nil:
    for n in args.dropFirst().compactMap({ Int($0) }) {
        let path = NSTemporaryDirectory() + "bench-load-\(n).json"
        if !FileManager.default.fileExists(atPath: path) { generate(count: n, path: path) }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: args[0])
        child.arguments = ["--measure", path]
        try child.run()
        child.waitUntilExit()
    }
default:
    print("usage: bench-load N [N ...] | --generate N FILE | --measure FILE | --master FILE [--memo] | --reload FILE [FILE2]")
    exit(2)
}
