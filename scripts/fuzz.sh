#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/Targets against TributaryCore (instrumented with
# -sanitize=fuzzer,address, in a separate scratch path .build-fuzz) and runs each for a bounded time.
# Fails on any crash, sanitizer report or leak. New inputs go to a scratch directory; the committed seed corpus
# in Fuzz/corpus/<target>/ is only read (add interesting finds by hand).
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
OBJECTS=$(find "$BUILD/TributaryCore.build" "$BUILD/Yams.build" "$BUILD/CYaml.build" -name '*.o')

status=0
for target in "${TARGETS[@]}"; do
  echo "== fuzz: $target (${SECONDS_EACH}s)"
  binary="$SCRATCH/fuzz-$target"
  # shellcheck disable=SC2086
  swiftc -sanitize=fuzzer,address -parse-as-library -O -package-name "$PACKAGE_NAME" -I "$BUILD/Modules" \
    -Xcc -fmodule-map-file="$SCRATCH/checkouts/Yams/Sources/CYaml/include/module.modulemap" \
    "Fuzz/Targets/$target.swift" $OBJECTS -o "$binary" 2>&1 | grep -v "Cannot export local symbol" || true
  [ -x "$binary" ] || { echo "build of $target failed" >&2; exit 1; }
  mkdir -p "Fuzz/corpus/$target" "$SCRATCH/corpus/$target" "$SCRATCH/artifacts"
  if ! LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp:print_suppressions=0" "$binary" "$SCRATCH/corpus/$target" "Fuzz/corpus/$target" \
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
