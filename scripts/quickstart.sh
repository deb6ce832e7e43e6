#!/usr/bin/env bash
# Build Tributary (release) and start it with the default configuration plus demo traffic.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v apt-get >/dev/null 2>&1 && ! dpkg -s zlib1g-dev >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zlib1g-dev
fi
swift build -c release --product tributary
BIN="$(swift build -c release --show-bin-path)/tributary"
FEED_DIR=${TRIBUTARY_FEED_DIR:-/tmp/tributary}
mkdir -p "$FEED_DIR"
# The JSON feed's stream socket is on in the quick start, at a documented path.
ARGS=(--json.listen-unix="$FEED_DIR/feed.sock")
[ -f deploy/mapping.yml ] && ARGS+=(--statsd.mapping-config=deploy/mapping.yml)
"$BIN" "${ARGS[@]}" "$@" &
TRIBUTARY_PID=$!
trap 'kill $TRIBUTARY_PID 2>/dev/null; kill $DEMO_PID 2>/dev/null; wait' EXIT INT TERM
for _ in $(seq 1 100); do
  curl -fsS http://127.0.0.1:9102/-/ready >/dev/null 2>&1 && break
  sleep 0.1
done
"$BIN" demo --statsd.address 127.0.0.1:9125 --json.socket "$FEED_DIR/feed.sock" &
DEMO_PID=$!
echo "Tributary is running: http://127.0.0.1:9102/ (metrics at /metrics). Ctrl-C stops it."
wait $TRIBUTARY_PID
