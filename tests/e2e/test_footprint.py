"""Idle footprint of the binary under test: resident memory at start within the budget of its kind of build, no
Foundation mapped, and no CPU used at rest.

The budget depends on the build (debug code is larger, and a dynamically linked Swift runtime maps its shared
libraries whole pages at a time). The release build with the Swift runtime linked statically, which
scripts/quickstart.sh, scripts/build-image.sh and deploy/Dockerfile make, measured 17.0-17.8 MB at start (the
issue's target is 12 MB; not reached yet); the debug build, which CI tests, 26.6 MB. Each budget is the
measurement plus ~10%, low enough that linking Foundation again (+2.3 MB static, +6.7 MB debug) or exporting
every symbol again (+2.3 MB) fails. TRIBUTARY_BIN=<release binary> runs this against the release build.
"""
import os
import subprocess
import time

from conftest import binary_path

MB = 1024  # kB
# VmRSS at start, kB, by (optimized, Swift runtime linked statically).
BUDGETS = {
    (True, True): 19 * MB,    # the shipped build: swift build -c release --static-swift-stdlib
    (True, False): 24 * MB,   # swift build -c release (shared Swift runtime: ~6 MB of libswiftCore & co.)
    (False, True): 29 * MB,   # swift build --static-swift-stdlib
    (False, False): 29 * MB,  # swift build (what scripts/test.sh and CI test)
}


def build_kind(path):
    """(optimized, static Swift runtime): from the SwiftPM build folder name and the libraries ldd lists."""
    parts = os.path.realpath(path).split(os.sep)
    optimized = "debug" not in parts
    libraries = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=30).stdout
    return optimized, "libswiftCore" not in libraries


def status_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s in /proc/%d/status" % (field, pid))


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def mapped_files(pid):
    with open("/proc/%d/maps" % pid) as f:
        return {line.split()[-1] for line in f if len(line.split()) >= 6}


def test_resident_memory_at_start_is_within_budget(tributary_factory):
    optimized, static = build_kind(binary_path())
    t = tributary_factory(tcp=False)
    time.sleep(1.0)  # past start-up: listeners bound, readiness answered
    rss = status_kb(t.proc.pid, "VmRSS")
    budget = BUDGETS[(optimized, static)]
    kind = "%s, Swift runtime %s" % ("release" if optimized else "debug", "static" if static else "shared")
    assert rss <= budget, "VmRSS at start %d kB is over the %d kB budget of a %s build" % (rss, budget, kind)
    # FoundationEssentials is fine; Foundation proper brings CoreFoundation, FoundationInternationalization and ICU.
    heavy = ("libFoundation.so", "libFoundationInternationalization.so", "lib_FoundationICU.so")
    foundation = sorted(path for path in mapped_files(t.proc.pid) if os.path.basename(path) in heavy)
    assert not foundation, "Foundation is mapped again (a Foundation-only API is used somewhere): %s" % foundation


def test_no_cpu_at_rest(tributary_factory):
    t = tributary_factory(tcp=False)
    t.send_udp("rest.probe:1|c")
    t.wait_for(lambda s: any(k[0] == "rest_probe" for k in s))
    time.sleep(1.0)
    before = cpu_ticks(t.proc.pid)
    time.sleep(5.0)
    used = cpu_ticks(t.proc.pid) - before
    # Clock ticks are 10 ms: at rest nothing wakes up periodically, so this is 0; 5 allows one stray tick per second.
    assert used <= 5, "tributary used %d clock ticks of CPU in 5 s at rest" % used
