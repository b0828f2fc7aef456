// swift-tools-version:6.1
// An extension package: its own probe (`loadavg`) and format (`csv`), built into its own `doctor` next to the
// built-ins. See docs/extending.md.
import Foundation
import PackageDescription

/// The doctor package two directories up. A path dependency is named by its directory, which differs between
/// checkouts (doctor, main, a CI clone), so the name is read from the path. In a package of your own, depend
/// on doctor's repository URL with a version instead, and write `package: "doctor"`.
let doctorPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
let doctor = doctorPath.lastPathComponent.lowercased()

let package = Package(
    name: "doctor-extension",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: doctorPath.path),
    ],
    targets: [
        // The probe and the formatter, as a library (so tests or other tools can use them too).
        .target(
            name: "LoadAverage",
            dependencies: [
                .product(name: "DoctorCore", package: doctor),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // This extension's doctor: the built-ins plus LoadAverage, registered with one call.
        .executableTarget(
            name: "my-doctor",
            dependencies: [
                "LoadAverage",
                .product(name: "DoctorCLI", package: doctor),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
