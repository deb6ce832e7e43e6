#!/usr/bin/env bash
# Regenerates Sources/TributaryServer/Protobuf/metrics.pb.swift from Protos/io/prometheus/client/metrics.proto.
#
# Needs protoc (Debian: protobuf-compiler) and swift-protobuf's protoc-gen-swift at the version Package.swift uses
# (build it once: `swift build -c release --product protoc-gen-swift` in a swift-protobuf checkout at 1.39.0) on PATH
# or in PROTOC_GEN_SWIFT. CI does not run this: the generated file is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
plugin="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift)}"
protoc --plugin=protoc-gen-swift="$plugin" \
    --swift_opt=Visibility=Package \
    --swift_out=Sources/TributaryServer/Protobuf \
    -I Protos -I /usr/include \
    Protos/io/prometheus/client/metrics.proto
mv Sources/TributaryServer/Protobuf/io/prometheus/client/metrics.pb.swift Sources/TributaryServer/Protobuf/metrics.pb.swift
rm -r Sources/TributaryServer/Protobuf/io
