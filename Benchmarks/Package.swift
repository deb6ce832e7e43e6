// swift-tools-version:6.1
import PackageDescription

/// Benchmarks of the pure core (parse a line, apply a datagram, write N series), with package-benchmark.
///
/// Run from this folder: `swift package --disable-sandbox benchmark`.
/// SwiftPM names a path dependency after its folder, which differs between checkouts (`tributary`,
/// a worktree, a CI clone), so the root package's identity is derived from where this manifest is.
let rootPackageIdentity = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "tributary")
    .lowercased()

/// The core's API is `package`-visible only (STYLE: no `public` in unpublished libraries). The benchmarks
/// join the root package's access domain by compiling with its `-package-name` (identity, C99-mangled).
let rootPackageName = String(rootPackageIdentity.map { $0.isLetter || $0.isNumber ? $0 : "_" })

let package = Package(
    name: "TributaryBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(path: "../"),
    ],
    targets: [
        .executableTarget(
            name: "TributaryBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TributaryCore", package: rootPackageIdentity),
            ],
            path: "Benchmarks/TributaryBenchmarks",
            packageAccess: false,  // no `-package-name benchmarks` from SwiftPM; the root's is set below
            swiftSettings: [.swiftLanguageMode(.v6), .unsafeFlags(["-package-name", rootPackageName])],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
