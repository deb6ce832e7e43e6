#!/usr/bin/env python3
"""Allocation gate: runs the benchmarks and fails when a p90 mallocCountTotal exceeds Thresholds/ by more than
the tolerance. The harness itself makes ~16 allocations per measurement (see the Noop benchmark); one allocation
per line adds 30-1000, so the tolerance does not hide a hot-path regression. Wall clock is not gated (too noisy
on shared machines)."""
import glob, json, os, subprocess, sys, tempfile

TOLERANCE = 8
here = os.path.dirname(os.path.abspath(__file__))
out = tempfile.mkdtemp(prefix="tributary-bench-")
cmd = ["swift", "package", "--disable-sandbox", "--allow-writing-to-directory", out, "benchmark", "--no-progress",
       "--format", "metricP90AbsoluteThresholds", "--path", out]
subprocess.run(cmd, cwd=here, check=True, stdout=subprocess.DEVNULL)
failures, checked = [], 0
for path in sorted(glob.glob(os.path.join(here, "Thresholds", "*.json"))):
    name = os.path.basename(path)
    allowed = json.load(open(path))["mallocCountTotal"]
    measured_path = os.path.join(out, name)
    if not os.path.exists(measured_path):
        failures.append("%s: benchmark did not run" % name)
        continue
    measured = json.load(open(measured_path))["mallocCountTotal"]
    checked += 1
    passed = measured <= allowed + TOLERANCE
    # The limit is the recorded threshold plus the tolerance: say both, and which side of it the run is.
    print("%-90s mallocs p90 %6d, limit %d (threshold %d + tolerance %d): %s" % (
        name[:-len(".p90.json")], measured, allowed + TOLERANCE, allowed, TOLERANCE,
        "passed, within the limit" if passed else "FAILED, TOO MANY ALLOCATIONS"))
    if not passed:
        failures.append("%s: %d mallocs, limit %d" % (name, measured, allowed + TOLERANCE))
print("allocation gate: %d passed, %d failed" % (checked - len([f for f in failures if "did not run" not in f]),
                                                len(failures)))
sys.exit(1 if failures or checked == 0 else 0)
