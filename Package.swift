// swift-tools-version:6.1
// shadowdhcp — a reservation-only DHCPv4 + DHCPv6 server for ISPs.
//
// Module stack (arrows point one way only):
//   executables → runtime → engines (DHCPv4, DHCPv6) → ShadowCore
//   IPC and ShadowSystem are used by the runtime, never the other way round.
import PackageDescription

let package = Package(
    name: "shadowdhcp",
    products: [
        .executable(name: "shadow-master", targets: ["shadow-master"]),
        .executable(name: "shadow-v4", targets: ["shadow-v4"]),
        .executable(name: "shadow-v6", targets: ["shadow-v6"]),
        .library(name: "ShadowCore", targets: ["ShadowCore"]),
        .library(name: "IPC", targets: ["IPC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // C: what Swift cannot call (GNU-only functions, variadic prctl, CMSG_* macros).
        .target(name: "CShim"),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),

        // Pure Swift, no Glibc: the model, the wire codecs and the IPC framing.
        .target(name: "ShadowCore"),
        .target(name: "DHCPv4", dependencies: ["ShadowCore"]),
        .target(name: "DHCPv6", dependencies: ["ShadowCore"]),
        .target(name: "IPC", dependencies: ["ShadowCore"]),

        // Every system call lives here.
        .target(name: "ShadowSystem", dependencies: [
            "ShadowCore", "CShim", "CCap", "CSeccomp",
            .product(name: "SystemPackage", package: "swift-system"),
        ]),

        // swift-log handler shared by the master and the workers.
        .target(name: "ShadowLogging", dependencies: [
            "ShadowCore",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The master's logic: configuration directory, checks, (later) supervision.
        .target(name: "ShadowRuntime", dependencies: [
            "ShadowCore", "ShadowLogging",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "SystemPackage", package: "swift-system"),
        ]),

        // Thin executables.
        .executableTarget(name: "shadow-master", dependencies: [
            "ShadowRuntime",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "shadow-v4", dependencies: ["ShadowCore", "DHCPv4"]),
        .executableTarget(name: "shadow-v6", dependencies: ["ShadowCore", "DHCPv6"]),

        // Load benchmark (not a test): swift build -c release --product bench-load
        .executableTarget(name: "bench-load", dependencies: ["ShadowCore"], path: "Benchmarks/bench-load"),

        .testTarget(name: "ShadowCoreTests", dependencies: ["ShadowCore"]),
        .testTarget(name: "DHCPv4Tests", dependencies: ["DHCPv4", "ShadowCore"]),
        .testTarget(name: "DHCPv6Tests", dependencies: ["DHCPv6", "ShadowCore"]),
        .testTarget(name: "IPCTests", dependencies: ["IPC", "ShadowCore"]),
        .testTarget(name: "ShadowRuntimeTests", dependencies: ["ShadowRuntime", "ShadowCore"]),

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
        .executableTarget(name: "fuzz-dhcpv6", dependencies: ["DHCPv6", "ShadowCore"], path: "Fuzz/fuzz-dhcpv6"),
        .executableTarget(name: "bench-dhcpv6", dependencies: ["DHCPv6", "ShadowCore"], path: "Benchmarks/bench-dhcpv6"),

        // Load generator and probe acting as a DHCPv4/DHCPv6 relay (docs/performance.md).
        .target(name: "ShadowBench", dependencies: [
            "ShadowCore", "ShadowSystem",
            .product(name: "SystemPackage", package: "swift-system"),
        ]),
        .executableTarget(name: "shadow-bench", dependencies: [
            "ShadowBench", "ShadowCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "ShadowBenchTests", dependencies: ["ShadowBench", "ShadowCore", "DHCPv6", "DHCPv4"]),
    ],
    swiftLanguageModes: [.v6]
)
