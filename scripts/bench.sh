#!/usr/bin/env bash
# Max lossless ingest rate with Benchmarks/load (loopback only, bounded): Tributary pinned to CPU 0,
# statsd-blast on CPU 1, counters, 1000 series, full datagrams. Then udp-sink's split+aggregate limit.
# Env: MIX, SERIES, TAGS, EXTRA_ARGS (Tributary flags), EXPORTER_CPU / BLASTER_CPU (taskset lists), OUT, LPPS.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=${BENCH:-Benchmarks/load}
make -s -C "$BENCH"
OUT=${OUT:-bench-results}
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
swift build -c release --static-swift-stdlib --product tributary
BIN="$(swift build -c release --show-bin-path)/tributary"
MIX=${MIX:-c}
SERIES=${SERIES:-1000}
python3 "$BENCH/bench.py" --start-cmd "$BIN --statsd.listen-udp=127.0.0.1:19125 --statsd.listen-tcp= --web.listen-address=127.0.0.1:19102 ${EXTRA_ARGS:-}" \
  --udp 127.0.0.1:19125 --metrics-url http://127.0.0.1:19102/metrics --exporter-cpu "${EXPORTER_CPU:-0}" --blaster-cpu "${BLASTER_CPU:-1}" \
  --series "$SERIES" --tags "${TAGS:-0}" --mix "$MIX" --mode bisect --duration 5 --bisect-steps 7 \
  --self-lines-metric tributary_lines_total --self-packets-metric tributary_udp_packets_total \
  --self-drops-metric tributary_udp_kernel_drops_total --out "$OUT/bisect.jsonl"
(cd "$BENCH" && make -s && PORT=19135 PARSE=2 LPPS="${LPPS:-30}" REPS=2 DUR=5 OUT="$OUT/limit.jsonl" ./limit.sh)
