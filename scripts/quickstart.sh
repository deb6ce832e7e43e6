#!/usr/bin/env bash
# Build Tributary (release) and start it with the default configuration plus demo traffic.
#
# Fails loudly (exit 1, a line saying why) when its own Tributary does not start, e.g. because another one (a
# second quick start) already holds the ports: it waits until the process it started answers readiness itself,
# never taking another process's answer for its own.
#
# Env: TRIBUTARY_BIN (use this binary, skip the build), TRIBUTARY_FEED_DIR (JSON feed socket directory, default
# /tmp/tributary), TRIBUTARY_HTTP_PORT (default 9102), TRIBUTARY_STATSD_PORT (UDP and TCP, default 9125).
set -euo pipefail
cd "$(dirname "$0")/.."
HTTP_PORT=${TRIBUTARY_HTTP_PORT:-9102}
STATSD_PORT=${TRIBUTARY_STATSD_PORT:-9125}
if [ -n "${TRIBUTARY_BIN:-}" ]; then
  BIN="$TRIBUTARY_BIN"
else
  if command -v apt-get >/dev/null 2>&1 && ! { dpkg -s zlib1g-dev libyaml-dev && command -v curl; } >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zlib1g-dev libyaml-dev curl
  fi
  # The Swift runtime linked in (not as shared libraries): about half the resident memory at start.
  swift build -c release --static-swift-stdlib --product tributary
  BIN="$(swift build -c release --show-bin-path)/tributary"
fi
command -v curl >/dev/null 2>&1 || { echo "quickstart: curl is needed to check readiness (apt-get install curl)" >&2; exit 1; }
FEED_DIR=${TRIBUTARY_FEED_DIR:-/tmp/tributary}
mkdir -p "$FEED_DIR"
# The JSON feed's stream socket is on in the quick start, at a documented path.
ARGS=(--web.listen-address=":$HTTP_PORT" --statsd.listen-udp=":$STATSD_PORT" --statsd.listen-tcp=":$STATSD_PORT"
      --json.listen-unix="$FEED_DIR/feed.sock")
[ -f deploy/mapping.yml ] && ARGS+=(--statsd.mapping-config=deploy/mapping.yml)

TRIBUTARY_PID=""
DEMO_PID=""
cleanup() {
  [ -n "$DEMO_PID" ] && kill "$DEMO_PID" 2>/dev/null
  [ -n "$TRIBUTARY_PID" ] && kill "$TRIBUTARY_PID" 2>/dev/null
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  echo "quickstart: $*" >&2
  exit 1
}

# Something already answering on the HTTP port would answer our readiness checks: refuse before starting.
if curl -fsS -o /dev/null "http://127.0.0.1:$HTTP_PORT/-/healthy" 2>/dev/null; then
  fail "port $HTTP_PORT already serves HTTP (another Tributary or quick start?); stop it, or set TRIBUTARY_HTTP_PORT and TRIBUTARY_STATSD_PORT"
fi

"$BIN" "${ARGS[@]}" "$@" &
TRIBUTARY_PID=$!
# Ready means: our process is alive and the answer on our port is 200. Since the port was free before we started
# and our process holds it exclusively once bound, a live process plus a 200 is our own Tributary answering.
ready=""
for _ in $(seq 1 300); do
  if ! kill -0 "$TRIBUTARY_PID" 2>/dev/null; then
    status=0
    wait "$TRIBUTARY_PID" || status=$?
    TRIBUTARY_PID=""
    fail "Tributary did not start (exit status $status; its error is above)"
  fi
  if curl -fsS -o /dev/null "http://127.0.0.1:$HTTP_PORT/-/ready" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.1
done
[ -n "$ready" ] || fail "Tributary (pid $TRIBUTARY_PID) did not become ready within 30 s; see its log above"
kill -0 "$TRIBUTARY_PID" 2>/dev/null || fail "Tributary exited right after starting; its error is above"

"$BIN" demo --statsd.address "127.0.0.1:$STATSD_PORT" --json.socket "$FEED_DIR/feed.sock" &
DEMO_PID=$!
echo "Tributary is running (pid $TRIBUTARY_PID): http://127.0.0.1:$HTTP_PORT/ (metrics at /metrics). Ctrl-C stops it."
status=0
wait "$TRIBUTARY_PID" || status=$?
TRIBUTARY_PID=""
[ "$status" = 0 ] || fail "Tributary exited with status $status"
