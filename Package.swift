// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Tributary",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tributary", targets: ["tributary"]),
        .library(name: "TributaryCore", targets: ["TributaryCore"]),
        .library(name: "TributaryServer", targets: ["TributaryServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // TLS for --web.config.file (tls_server_config).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // OpenBSD bcrypt (C) behind a small Swift API, for basic_auth_users; only the HummingbirdBcrypt
        // product is built, not Hummingbird itself.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        // Without its default traits: BinaryDelimitedStreams imports Foundation (for InputStream/OutputStream, which
        // we do not use), and that alone links Foundation, CoreFoundation and ICU into the binary.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0", traits: []),
    ],
    targets: [
        // Pure core: parsing, mapping, aggregation, exposition. No sockets, files, clocks or logging.
        .target(name: "TributaryCore", dependencies: ["CYAML"]),
        // The system's libyaml (Debian: libyaml-dev) for the mapping and web config files. Yams wraps the same C
        // parser, but its resolver and decoder need Foundation, whose mere linking costs ~3.6 MB resident at start.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // System zlib for gzip on /metrics (Debian: zlib1g-dev).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // I/O layer: listeners, HTTP, lifecycle.
        .target(
            name: "TributaryServer",
            dependencies: [
                "TributaryCore",
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        // Thin executable: flags → configuration → ServiceGroup.run().
        .executableTarget(
            name: "tributary",
            dependencies: [
                "TributaryServer",
                "TributaryCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Resident memory at start (release, Swift runtime static: 20.8 MB with the defaults): the Swift
            // runtime's static link exports every symbol (-export-dynamic), 2.5 MB of symbol tables the loader
            // searches, and its 1.6 MB of relative relocations are read whole at start. No export (-2.3 MB) and
            // packed relocations (DT_RELR, glibc 2.36+, with lld from the toolchain: -1.5 MB) give 17.0 MB.
            linkerSettings: [
                .unsafeFlags(
                    ["-use-ld=lld", "-Xlinker", "--no-export-dynamic", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"],
                    .when(platforms: [.linux], configuration: .release))
            ]
        ),
        .testTarget(name: "TributaryCoreTests", dependencies: ["TributaryCore"]),
        .testTarget(
            name: "TributaryServerTests",
            dependencies: [
                "TributaryServer",
                "TributaryCore",
                "CZlib",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
