#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/Targets against TributaryCore (instrumented with
# -sanitize=fuzzer,address, in a separate scratch path .build-fuzz) and runs each for a bounded time.
# Fails on any crash, sanitizer report or leak. New inputs go to a scratch directory; the committed seed corpus
# in Fuzz/corpus/<target>/ is only read (add interesting finds by hand).
#
# Targets that `import TributaryServer` (http_requests) also get TributaryServer, compiled here from its sources with
# the same instrumentation. Its dependencies (SwiftNIO, NIOSSL, swift-log, …) are linked uninstrumented from the
# regular debug build (`swift build`; CI has built it already), because building them instrumented takes ~15 minutes
# on 2 cores; llhttp (NIO's C request parser, 3 files) is recompiled instrumented, so its coverage guides the fuzzer.
#
#   scripts/fuzz.sh                 # every target, FUZZ_SECONDS (default 60) each
#   FUZZ_SECONDS=20 scripts/fuzz.sh statsd_lines json_feed
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${FUZZ_SECONDS:-60}"
SCRATCH=.build-fuzz
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=()
  for f in Fuzz/Targets/*.swift; do TARGETS+=("$(basename "$f" .swift)"); done
fi

echo "== fuzz: building TributaryCore with -sanitize=fuzzer,address"
swift build --scratch-path "$SCRATCH" --target TributaryCore -c release \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
BUILD="$SCRATCH/release"
# The root package's name as SwiftPM passes it (-package-name), so targets can use `package` declarations.
PACKAGE_NAME="$(python3 - "$BUILD/description.json" <<'PY'
import json, sys
def walk(node):
    if isinstance(node, dict):
        for v in node.values(): yield from walk(v)
    elif isinstance(node, list):
        if "-module-name" in node and "TributaryCore" in node and "-package-name" in node:
            yield node[node.index("-package-name") + 1]
        for v in node: yield from walk(v)
names = set(walk(json.load(open(sys.argv[1]))))
print(names.pop() if names else "")
PY
)"
[ -n "$PACKAGE_NAME" ] || { echo "cannot find the package name in $BUILD/description.json" >&2; exit 1; }
# TributaryCore reads YAML with the system's libyaml (the CYAML module map links -lyaml).
YAML_MODULE_MAP="$PWD/Sources/CYAML/module.modulemap"
OBJECTS=$(find "$BUILD/TributaryCore.build" -name '*.o')

# Set by build_server: swiftc arguments that add TributaryServer to a target.
SERVER_ARGS=()
# Compiled from source with the instrumentation, in this order; the rest of TributaryServer's dependencies are not.
INSTRUMENTED_MODULES=(NIOHTTP1 TributaryServer)
build_server() {
  echo "== fuzz: building ${INSTRUMENTED_MODULES[*]} with -sanitize=fuzzer,address (the rest from the debug build)"
  swift build --target TributaryServer
  local debug server module object objects=() deps flags sources
  debug="$(swift build --show-bin-path)"
  server="$SCRATCH/server"
  rm -rf "$server" && mkdir -p "$server/deps" "$server/Modules" "$server/llhttp"
  python3 scripts/fuzz_server_plan.py "$debug/description.json" "$server" "${INSTRUMENTED_MODULES[@]}"
  mapfile -t deps <"$server/deps.txt"
  for module in "${deps[@]}"; do
    [ -e "$debug/Modules/$module.swiftmodule" ] && ln -s "$debug/Modules/$module.swiftmodule" "$server/deps/"
    [ "$module" = CNIOLLHTTP ] || [ ! -d "$debug/$module.build" ] && continue  # llhttp below; CZlib has no objects
    while IFS= read -r object; do objects+=("$object"); done < <(find "$debug/$module.build" -name '*.o')
  done
  local llhttp=.build/checkouts/swift-nio/Sources/CNIOLLHTTP
  for source in "$llhttp"/*.c; do  # defines as in swift-nio's Package.swift
    object="$server/llhttp/$(basename "$source").o"
    clang -O1 -g -fsanitize=fuzzer-no-link,address -D_GNU_SOURCE -DLLHTTP_STRICT_MODE -I "$llhttp/include" \
      -c "$source" -o "$object"
    objects+=("$object")
  done
  local search=(-I "$server/Modules" -I "$server/deps" -I "$BUILD/Modules" -Xcc -fmodule-map-file="$YAML_MODULE_MAP"
    -module-cache-path "$server/ModuleCache")
  for module in "${INSTRUMENTED_MODULES[@]}"; do
    mapfile -t flags <"$server/$module.flags"
    mapfile -t sources <"$server/$module.sources"
    swiftc -sanitize=fuzzer,address -parse-as-library -O -wmo -suppress-warnings -module-name "$module" \
      "${flags[@]}" "${search[@]}" -emit-module -emit-module-path "$server/Modules/$module.swiftmodule" \
      -c -o "$server/$module.o" "${sources[@]}"
    objects+=("$server/$module.o")
  done
  mapfile -t flags <"$server/imports.txt"
  SERVER_ARGS=("${search[@]}" "${flags[@]}" "${objects[@]}" -lstdc++)
}

status=0
for target in "${TARGETS[@]}"; do
  extra=()
  if grep -q '^import TributaryServer' "Fuzz/Targets/$target.swift"; then
    [ ${#SERVER_ARGS[@]} -gt 0 ] || build_server
    extra=("${SERVER_ARGS[@]}")
  fi
  echo "== fuzz: $target (${SECONDS_EACH}s)"
  binary="$SCRATCH/fuzz-$target"
  rm -f "$binary"
  # shellcheck disable=SC2086
  swiftc -sanitize=fuzzer,address -parse-as-library -O -package-name "$PACKAGE_NAME" "${extra[@]}" \
    -I "$BUILD/Modules" -Xcc -fmodule-map-file="$YAML_MODULE_MAP" "Fuzz/Targets/$target.swift" $OBJECTS \
    -o "$binary" 2>&1 | grep -v "Cannot export local symbol" || true
  [ -x "$binary" ] || { echo "build of $target failed" >&2; exit 1; }
  mkdir -p "Fuzz/corpus/$target" "$SCRATCH/corpus/$target" "$SCRATCH/artifacts"
  # SWIFT_BACKTRACE: Swift's crash backtracer reads the crashed stack, which ASan reports as a second error.
  if ! SWIFT_BACKTRACE=enable=no LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp:print_suppressions=0" "$binary" "$SCRATCH/corpus/$target" "Fuzz/corpus/$target" \
      -max_total_time="$SECONDS_EACH" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$SCRATCH/artifacts/$target-" -print_final_stats=1 >"$SCRATCH/$target.log" 2>&1; then
    echo "FUZZ FAILURE in $target: see $SCRATCH/$target.log and $SCRATCH/artifacts/" >&2
    tail -40 "$SCRATCH/$target.log" >&2
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::new_units_added|Done [0-9]+ runs" "$SCRATCH/$target.log" || true
  fi
done
exit $status
