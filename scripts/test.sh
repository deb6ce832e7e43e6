#!/usr/bin/env bash
# The whole test suite: Swift unit and integration tests, then end-to-end tests against the built
# binary (real UDP/TCP/Unix sockets, promtool, a real Prometheus server, statsd_exporter conformance).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== swift build"
swift build --build-tests
echo "== swift test"
swift test --skip-build --parallel --num-workers 2
echo "== load generator and reference receiver (Benchmarks/load, C)"
make -s -C Benchmarks/load
echo "== end-to-end (pytest)"
TRIBUTARY_BIN="$(swift build --show-bin-path)/tributary" python3 -m pytest -q tests/e2e
echo "== Node.js client (node --test)"
node --test clients/node/test/
echo "== benchmarks: allocation gate (fails when the hot path allocates again)"
python3 Benchmarks/check-allocations.py
echo "== fuzz (libFuzzer + ASan, bounded; scripts/fuzz.sh runs 60 s per target by default)"
FUZZ_SECONDS="${FUZZ_SECONDS:-15}" ./scripts/fuzz.sh
