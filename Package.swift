// swift-tools-version:6.1
// shadowdhcp — a reservation-only DHCPv4 + DHCPv6 server for ISPs.
//
// Module stack (arrows point one way only; docs/architecture.md has the table):
//   shadow-v4/v6 → ShadowWorker → engines (DHCPv4, DHCPv6) → ShadowCore
//   shadow-master → ShadowMaster → ShadowCore (no NIO, no management parser: root parses no network input)
//   shadow-ops → ShadowOps → ShadowOperations (NIO) → ShadowCore
//   IPC (the process contract and the messages) and ShadowSystem (every system call) are used by
//   both sides, never the other way round. The master links no DHCP engine.
import PackageDescription

// The git commit `shadow-master --version` names, given at build time (scripts/package and
// scripts/install set it); a plain `swift build` names none. Only the C target CBuildInfo sees it.
let gitCommit = Context.environment["SHADOW_GIT_COMMIT"].flatMap { $0.isEmpty ? nil : $0 }
if let gitCommit, !gitCommit.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic
    || ("0"..."9").contains($0) || $0 == "-") }) {
    fatalError("SHADOW_GIT_COMMIT=\(gitCommit): only ASCII letters, digits and '-'")
}

// The serving path's code together (docs/performance.md, "Hot code first"): every function of our
// modules in a section of its own, and the three server executables linked by lld with the
// functions Sources/hot-code.txt names first, so that the few pages a worker runs while serving
// are all it keeps resident. The list comes from bench/hot-code.sh; a name no longer in the code is
// skipped (the order changes, never what the code does).
let hotCode: [SwiftSetting] = [.unsafeFlags(["-Xfrontend", "-function-sections"])]
let hotOrder: [LinkerSetting] = [.unsafeFlags([
    "-use-ld=lld", "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/hot-code.txt",
    "-Xlinker", "--no-warn-symbol-ordering",
])]

let package = Package(
    name: "shadowdhcp",
    products: [
        .executable(name: "shadow-master", targets: ["shadow-master"]),
        .executable(name: "shadow-v4", targets: ["shadow-v4"]),
        .executable(name: "shadow-v6", targets: ["shadow-v6"]),
        .executable(name: "shadow-ops", targets: ["shadow-ops"]),
        .library(name: "ShadowCore", targets: ["ShadowCore"]),
        .library(name: "IPC", targets: ["IPC"]),
        .library(name: "ShadowOperations", targets: ["ShadowOperations"]),
        .executable(name: "shadowctl", targets: ["shadowctl"]),
        .library(name: "ShadowTesting", targets: ["ShadowTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C: what Swift cannot call (GNU-only functions, variadic prctl, CMSG_* macros).
        .target(name: "CShim"),
        .target(name: "CBuildInfo", cSettings: gitCommit.map { [.define("SHADOW_GIT_COMMIT", to: "\"\($0)\"")] } ?? []),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),

        // Pure Swift, no Glibc: the model, the wire codecs and the IPC framing.
        .target(name: "ShadowCore", swiftSettings: hotCode),
        .target(name: "DHCPv4", dependencies: ["ShadowCore"], swiftSettings: hotCode),
        .target(name: "DHCPv6", dependencies: ["ShadowCore"], swiftSettings: hotCode),
        .target(name: "IPC", dependencies: ["ShadowCore"], swiftSettings: hotCode),
        // The client's side of the wire, for tests, fuzzers, benchmarks and the load generator (not
        // shipped): DHCPv4/DHCPv6 request builders and writers, reply parsers, a seeded generator.
        .target(name: "DHCPWireKit", dependencies: ["ShadowCore"]),

        // Every system call lives here (Support/Syscall.swift: EINTR retried, EBADF/EFAULT are bugs).
        .target(name: "ShadowSystem", dependencies: [
            "ShadowCore", "CShim", "CCap", "CSeccomp",
            .product(name: "SystemPackage", package: "swift-system"),
        ], swiftSettings: hotCode),

        // swift-log handler shared by the master and the workers.
        .target(name: "ShadowLogging", dependencies: [
            "ShadowCore", "ShadowSystem",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "SystemPackage", package: "swift-system"),
        ], swiftSettings: hotCode),

        // A worker's life: sandbox, configuration and snapshot over IPC, the packet loop. No NIO.
        .target(name: "ShadowWorker", dependencies: [
            "ShadowCore", "ShadowLogging", "ShadowSystem", "IPC", "DHCPv4", "DHCPv6",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "SystemPackage", package: "swift-system"),
        ], swiftSettings: hotCode),

        // The root master: configuration directory, checks, spawning and supervising the workers
        // and the operations process, reloads, bindings, files. Never imports ShadowWorker, a DHCP
        // engine, ShadowOperations or NIO's networking: it parses no network input.
        // NIOSSL only to check `mgmt_tls`'s certificate and key at --check and start (root-owned
        // local files, never network input); the master opens no TLS connection.
        .target(name: "ShadowMaster", dependencies: [
            "ShadowCore", "ShadowLogging", "ShadowSystem", "IPC", "CBuildInfo",
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "SystemPackage", package: "swift-system"),
        ], swiftSettings: hotCode),

        // The operations components: management server, event writer, metrics. They run in
        // shadow-ops (ShadowOps), never in the master.
        .target(name: "ShadowOperations", dependencies: [
            "ShadowCore", "DHCPv4", "DHCPv6", "ShadowSystem", "IPC",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .executableTarget(name: "shadowctl", dependencies: [
            "ShadowOperations", "ShadowCore", "ShadowSystem",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Thin executables.
        .executableTarget(name: "shadow-master", dependencies: [
            "ShadowMaster",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: hotCode, linkerSettings: hotOrder),
        .executableTarget(name: "shadow-v4", dependencies: ["ShadowWorker"], swiftSettings: hotCode, linkerSettings: hotOrder),
        .executableTarget(name: "shadow-v6", dependencies: ["ShadowWorker"], swiftSettings: hotCode, linkerSettings: hotOrder),
        // The operations process's life: sandbox, IPC client of the master, NIO services.
        .target(name: "ShadowOps", dependencies: [
            "ShadowCore", "ShadowLogging", "ShadowSystem", "IPC", "ShadowOperations",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "SystemPackage", package: "swift-system"),
        ]),
        // --wrap=dlsym: NIO's dlsym() of the Swift concurrency hook also succeeds in a binary linked
        // with --static-swift-stdlib (Sources/CConcurrencyHook/wrap_dlsym.c).
        .target(name: "CConcurrencyHook"),
        .executableTarget(name: "shadow-ops", dependencies: ["ShadowOps", "CConcurrencyHook"],
                          linkerSettings: [.unsafeFlags(["-Xlinker", "--wrap=dlsym"])]),

        // Load benchmark (not a test): swift build -c release --product bench-load
        .executableTarget(name: "bench-load", dependencies: ["IPC", "ShadowCore", "ShadowSystem"], path: "Benchmarks/bench-load"),
        // Fuzzing and benchmarking (not shipped).
        .executableTarget(name: "fuzz-dhcpv4", dependencies: ["DHCPv4", "DHCPWireKit", "ShadowCore"], path: "Fuzz/fuzz-dhcpv4"),
        .executableTarget(name: "bench-dhcpv4", dependencies: ["DHCPv4", "DHCPWireKit", "ShadowCore", "ShadowSystem"],
                          path: "Benchmarks/bench-dhcpv4"),

        .testTarget(name: "ShadowCoreTests", dependencies: ["ShadowCore", "DHCPWireKit"]),
        .testTarget(name: "DHCPv4Tests", dependencies: ["DHCPv4", "DHCPWireKit", "ShadowCore"]),
        .testTarget(name: "DHCPv6Tests", dependencies: ["DHCPv6", "DHCPWireKit", "ShadowCore"]),
        .testTarget(name: "IPCTests", dependencies: ["IPC", "ShadowCore", "ShadowSystem"]),
        .testTarget(name: "ShadowMasterTests", dependencies: ["ShadowMaster", "ShadowCore", "ShadowSystem"]),
        .testTarget(name: "ShadowWorkerTests", dependencies: [
            "ShadowWorker", "ShadowCore", "ShadowSystem", "DHCPv4", "DHCPv6", "DHCPWireKit", "IPC", "ShadowTesting",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ShadowOpsTests", dependencies: [
            "ShadowOps", "ShadowOperations", "ShadowCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "ShadowOperationsTests", dependencies: [
            "ShadowOperations", "ShadowCore", "IPC", "ShadowSystem", "shadowctl",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // Test support: drops privileges exactly like a worker and prints what it sees.
        .executableTarget(name: "shadow-sandbox-probe", dependencies: [
            "ShadowSystem", "IPC", "ShadowCore",
            .product(name: "SystemPackage", package: "swift-system"),
        ]),
        .testTarget(name: "ShadowSystemTests", dependencies: [
            "ShadowSystem", "ShadowCore", "IPC", "shadow-sandbox-probe",
            .product(name: "SystemPackage", package: "swift-system"),
        ]),

        // DHCPv6 fuzz target (deterministic mutation loop, or libFuzzer with -DSHADOW_LIBFUZZER)
        // and micro-benchmark. See docs/dhcpv6.md.
        .executableTarget(name: "fuzz-dhcpv6", dependencies: ["DHCPv6", "DHCPWireKit", "ShadowCore"], path: "Fuzz/fuzz-dhcpv6"),
        .executableTarget(name: "bench-dhcpv6", dependencies: ["DHCPv6", "DHCPWireKit", "ShadowCore"], path: "Benchmarks/bench-dhcpv6"),
        // The worker's per-datagram path over batches in memory, for callgrind (docs/performance.md).
        .executableTarget(name: "bench-worker", dependencies: [
            "ShadowWorker", "ShadowBench", "DHCPWireKit", "ShadowCore", "ShadowSystem", "IPC",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "SystemPackage", package: "swift-system"),
        ], path: "Benchmarks/bench-worker"),
        // Bulk leasequery throughput (docs/leasequery.md, "DHCPv6 bulk").
        .executableTarget(name: "bench-leasequery", dependencies: ["ShadowWorker", "DHCPv6", "DHCPWireKit", "ShadowCore"],
                          path: "Benchmarks/bench-leasequery"),

        // Test support for process-level tests: starts the real shadow-master from the build
        // directory, relays DHCPv4/DHCPv6 on loopback, builds and parses packets. See docs/testing.md.
        .target(name: "ShadowTesting", dependencies: [
            "ShadowCore", "ShadowSystem", "DHCPv4", "DHCPWireKit",
            .product(name: "SystemPackage", package: "swift-system"),
        ]),
        // The real binaries over real sockets; depending on the executables makes
        // `swift build --build-tests` build them next to the test bundle.
        .testTarget(name: "IntegrationTests", dependencies: [
            "ShadowTesting", "DHCPWireKit", "ShadowCore", "DHCPv4",
            "shadow-master", "shadow-v4", "shadow-v6", "shadow-ops", "shadow-sandbox-probe", "shadowctl",
        ]),
        // Load generator and probe acting as a DHCPv4/DHCPv6 relay (docs/performance.md).
        .target(name: "ShadowBench", dependencies: [
            "ShadowCore", "DHCPWireKit", "ShadowSystem",
            .product(name: "SystemPackage", package: "swift-system"),
        ]),
        .executableTarget(name: "shadow-bench", dependencies: [
            "ShadowBench", "ShadowCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "ShadowBenchTests", dependencies: [
            "ShadowBench", "DHCPWireKit", "ShadowCore", "DHCPv6", "DHCPv4", "ShadowSystem",
            .product(name: "SystemPackage", package: "swift-system"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
