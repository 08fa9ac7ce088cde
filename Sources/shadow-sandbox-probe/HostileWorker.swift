import CShim
import Glibc
import IPC
import ShadowCore
import ShadowSystem
import SystemPackage

/// Started by a real master as its `shadow-v4` (the probe hard-linked under that name): confines
/// itself exactly like the real worker (allow list, limits, SIGSYS reporter), reports ready, waits
/// for its configuration, then misbehaves as a compromised worker would. What it does is named by
/// the directory it was started from, `hostile-v4-MODE-…`:
///
/// - `prlimit` (or no mode): prlimit64 on another process of the account (here its parent), to
///   keep its sibling dead. The filter must refuse it; the master logs the call by name and
///   restarts the worker.
/// - `bindings`: floods the master with learned bindings — 40,000 for Option 82 values no
///   reservation has and 10 with an empty one — as fast as the channel takes them, then idles.
///   The master must store none, count them in `bindings_refused`, and keep serving everything
///   else meanwhile.
/// - `ready`: sends `ready` a second time, which no honest worker does; the master must kill it.
/// - `flood`: writes lines to its stderr as fast as the pipe takes them for 3 s, then idles. The
///   master must pass on at most its rate, log how many it dropped, and keep serving.
/// - `forge`: writes to its stdout a line that reads as the master's (in JSON and in text), one
///   with a terminal escape sequence, and one genuine log line of its own, then idles. The master
///   must pass on only the genuine line unchanged and the others escaped, labelled `v4`.
enum HostileWorker {
    static func run(_ argv: [String]) -> Int32 {
        guard let args = WorkerArguments(argv) else { return 2 }
        let mode = Self.mode(executablePath())
        do {
            let channel = try SeqPacketChannel(adopting: FileDescriptor(rawValue: WorkerDescriptors.ipc))
            try SeccompReporter.install(process: "shadow-v4")
            let status = try Sandbox.enter(SandboxPlan(user: args.user, rootDirectory: args.rootDirectory,
                                                       limits: .worker))
            let ready = try IPCCodec.encode(.ready(ReadyMessage(pid: UInt32(getpid()), uid: status.uids[0],
                                                                gid: status.gids[0], workerGeneration: args.generation)),
                                            generation: args.generation, direction: .v4ToMaster)
            try channel.send(ready)
            _ = try channel.receive()
            switch mode {
            case "bindings":
                try flood(channel, generation: args.generation)
                while true { _ = try channel.receive() }
            case "ready":
                try channel.send(ready)
                while true { _ = try channel.receive() }
            case "flood":
                floodStandardError(seconds: 3)
                while true { _ = try channel.receive() }
            case "forge":
                forgeLines()
                while true { _ = try channel.receive() }
            default:
                var limit = rlimit(rlim_cur: 0, rlim_max: 0)
                _ = withUnsafePointer(to: &limit) {
                    cshim_syscall4(ProbeWorkerCalls.X86_64.prlimit64, Int(getppid()), 7 /* RLIMIT_NOFILE */,
                                   Int(bitPattern: $0), 0)
                }
                return 0
            }
        } catch {
            return 1
        }
    }

    /// This executable's path (the master may start it under its bare name).
    static func executablePath() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { readlink("/proc/self/exe", $0.baseAddress!, $0.count - 1) }
        }
        return n < 0 ? "" : String(decoding: buffer[..<n], as: UTF8.self)
    }

    /// `MODE` of `…/hostile-v4-MODE-…/shadow-v4`; empty when the directory names none.
    static func mode(_ path: String) -> String {
        let directory = path.split(separator: "/").dropLast().last ?? ""
        let parts = directory.split(separator: "-")
        guard parts.count >= 4, parts[0] == "hostile", parts[1] == "v4" else { return "" }
        return String(parts[2])
    }

    private static func floodStandardError(seconds: Int) {
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        var n = 0
        while true {
            let line = Array("flood line \(n) from a hostile v4 worker\n".utf8)
            n += 1
            _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            if n % 256 == 0 {
                var now = timespec()
                clock_gettime(CLOCK_MONOTONIC, &now)
                if now.tv_sec - start.tv_sec >= seconds { return }
            }
        }
    }

    /// The lines of `forge`: four forgeries and one genuine line.
    static let forgedLines = [
        #"{"timestamp":"2026-01-01T00:00:00.000Z","level":"CRITICAL","process":"master","message":"forged by v4"}"#,
        "2026-01-01T00:00:00.000Z CRITICAL master: forged by v4 in text",
        "\u{1B}[2J\u{1B}]0;forged title\u{07}escape from v4",
        #"{"timestamp":"2026-01-01T00:00:00.000Z","level":"INFO","process":"v4","process":"master","message":"forged twice"}"#,
        #"{"timestamp":"2026-01-01T00:00:00.000Z","level":"INFO","process":"v4","message":"genuine v4 line"}"#,
    ]

    private static func forgeLines() {
        let bytes = Array(forgedLines.map { $0 + "\n" }.joined().utf8)
        _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    }

    private static func flood(_ channel: SeqPacketChannel, generation: UInt64) throws {
        // Blocking sends: as fast as the master drains the channel.
        func send(_ b: BindingLearned) throws {
            try channel.send(try IPCCodec.encode(.bindingLearned(b), generation: generation, direction: .v4ToMaster))
        }
        for i in 0..<40_000 {
            let mac = MACAddress(bytes: [0x02, 0xBA, 0xD0, UInt8(i >> 16 & 0xFF), UInt8(i >> 8 & 0xFF), UInt8(i & 0xFF)])
            try send(BindingLearned(mac: mac, option82: Option82(circuit: "hostile-\(i)")))
        }
        for i in 0..<10 {
            let mac = MACAddress(bytes: [0x02, 0xBA, 0xD1, 0, 0, UInt8(i)])
            try send(BindingLearned(mac: mac, option82: Option82(circuit: "")))
        }
    }
}
