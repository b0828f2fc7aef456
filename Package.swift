// swift-tools-version:6.1
import PackageDescription

/// Settings every target shares: Swift 6 language mode (strict concurrency) plus the upcoming features the
/// style guide asks for.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Doctor",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "DoctorCore", targets: ["DoctorCore"]),
        .library(name: "DoctorYAML", targets: ["DoctorYAML"]),
        .library(name: "DoctorProbes", targets: ["DoctorProbes"]),
        .library(name: "DoctorFormatters", targets: ["DoctorFormatters"]),
        .library(name: "DoctorServer", targets: ["DoctorServer"]),
        .library(name: "DoctorExport", targets: ["DoctorExport"]),
        .library(name: "DoctorCLI", targets: ["DoctorCLI"]),
        .executable(name: "doctor", targets: ["doctor"]),
        .executable(name: "sesame", targets: ["sesame"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        // HTTP/2 (NIOHTTP2, NIOHPACK) for the OTLP/gRPC export.
        .package(url: "https://github.com/apple/swift-nio-http2", exact: "1.46.0"),
    ],
    targets: [
        // libyaml's event parser (Debian libyaml-dev), for the strict catalog loader. Debian's own library rather
        // than the copy Yams bundles: a Debian package must not embed it (lintian), and Yams' Swift layer was
        // never used.
        .systemLibrary(name: "CLibYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // Catalog model, strict loader, variables, selection, runner, results, governance, and the probe /
        // formatter protocols with their registries. No C library and no other Doctor module: it reads YAML
        // through `YAMLParsing`.
        .target(
            name: "DoctorCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The YAML reader on libyaml's event API: the one module that links libyaml.
        .target(name: "DoctorYAML", dependencies: ["DoctorCore", "CLibYAML"], swiftSettings: strict),
        // libsystemd's sd-bus (Debian libsystemd-dev), for the D-Bus probes.
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // libcap (Debian libcap-dev), for decoding capability sets and file capabilities.
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        // libb2's BLAKE2s (Debian libb2-dev), the hash of the Noise protocol the bus speaks.
        .systemLibrary(name: "CBlake2", pkgConfig: "libb2", providers: [.apt(["libb2-dev"])]),
        // libsodium (Debian libsodium-dev): X25519 and ChaCha20-Poly1305, the rest of that protocol. (swift-crypto
        // did this before; on Linux it compiles BoringSSL, about half of a first build.)
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        // SQLCipher (Debian libsqlcipher-dev; 3.4.1 on Debian 12), for the vault probe.
        .systemLibrary(name: "CSQLCipher", pkgConfig: "sqlcipher", providers: [.apt(["libsqlcipher-dev"])]),
        // libwayland-client (Debian libwayland-dev), for the wayland probe.
        .systemLibrary(name: "CWayland", pkgConfig: "wayland-client", providers: [.apt(["libwayland-dev"])]),
        // Non-variadic wrappers for prctl and syscall (header only).
        .systemLibrary(name: "CLinux"),
        // One file per probe.
        .target(
            name: "DoctorProbes",
            dependencies: [
                "DoctorCore", "CSystemd", "CCap", "CLinux", "CBlake2", "CSodium", "CSQLCipher", "CWayland",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strict
        ),
        // One file per output format.
        .target(name: "DoctorFormatters", dependencies: ["DoctorCore"], swiftSettings: strict),
        // `doctor serve`: HTTP on SwiftNIO over a Unix socket and TCP, the run scheduler, the event stream, and
        // sd_notify readiness and watchdog (libsystemd).
        .target(
            name: "DoctorServer",
            dependencies: [
                "DoctorCore", "DoctorFormatters", "CSystemd",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // OTLP export (metrics and traces of a run) over OTLP/HTTP (NIOHTTP1) and OTLP/gRPC (NIOHTTP2), with
        // the settings type any command can fill. Imports no probe.
        .target(
            name: "DoctorExport",
            dependencies: [
                "DoctorCore", "DoctorFormatters",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ],
            swiftSettings: strict
        ),
        // The commands, shared by the `doctor`, `sesame` and `doctor-dev` executables.
        .target(
            name: "DoctorCLI",
            dependencies: [
                "DoctorCore", "DoctorYAML", "DoctorProbes", "DoctorFormatters", "DoctorServer", "DoctorExport",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "doctor", dependencies: ["DoctorCLI"], swiftSettings: strict),
        .executableTarget(name: "sesame", dependencies: ["DoctorCLI"], swiftSettings: strict),
        .executableTarget(name: "doctor-dev", dependencies: ["DoctorCLI"], swiftSettings: strict),
        // Runner measurements no built-in probe can exercise (benchmarks/README.md).
        .executableTarget(name: "doctor-bench", dependencies: ["DoctorCore", "DoctorYAML", "DoctorProbes", "DoctorFormatters"], path: "benchmarks/doctor-bench", swiftSettings: strict),
        // Helpers shared by the test targets.
        .target(name: "DoctorTestSupport", path: "Tests/DoctorTestSupport", swiftSettings: strict),
        .testTarget(
            name: "DoctorCoreTests",
            dependencies: ["DoctorCore", "DoctorYAML", "DoctorProbes", "DoctorTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DoctorProbesTests",
            dependencies: ["DoctorCore", "DoctorYAML", "DoctorProbes", "DoctorTestSupport", "CSystemd"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DoctorFormattersTests",
            dependencies: ["DoctorCore", "DoctorYAML", "DoctorProbes", "DoctorFormatters", "DoctorTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DoctorServerTests",
            dependencies: ["DoctorCore", "DoctorServer", "DoctorTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DoctorExportTests",
            dependencies: [
                "DoctorExport", "DoctorCore", "DoctorFormatters", "DoctorTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DoctorCLITests",
            dependencies: ["DoctorCLI", "DoctorCore", "DoctorYAML", "DoctorProbes", "DoctorFormatters", "DoctorServer", "DoctorTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
    ]
)

// The libFuzzer harness (Fuzz/), only when asked for: `Fuzz/run` builds it with DOCTOR_FUZZ=1,
// `--sanitize=fuzzer --sanitize=address` and its own scratch path. libFuzzer supplies `main`, hence
// `-parse-as-library` (allowed here: this package is the root, never a dependency, when it is built).
if Context.environment["DOCTOR_FUZZ"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "doctor-fuzz",
            dependencies: [
                "DoctorCore", "DoctorYAML", "DoctorProbes", "DoctorServer", "DoctorExport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Fuzz/Harness",
            swiftSettings: strict + [.unsafeFlags(["-parse-as-library"])]
        ))
}
