"""Same input, same output as statsd_exporter 0.27.2 (tests/fixtures/conformance), and clean promtool checks."""
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, binary_path

CONFORMANCE = os.path.join(ROOT, "tests", "fixtures", "conformance")


def run_check(lines, golden, mapping=None, allow_absent=None, ingest_threads=1):
    if not os.path.isdir(CONFORMANCE):
        pytest.fail("conformance corpus not found at %s" % CONFORMANCE)
    cmd = (binary_path() + " --statsd.listen-udp={udp} --statsd.listen-tcp= --web.listen-address={http}"
           + " --statsd.ingest-threads=%d" % ingest_threads)
    if mapping:
        cmd += " --statsd.mapping-config={mapping}"
    args = [sys.executable, os.path.join(CONFORMANCE, "check.py"), "check", "--cmd", cmd,
            "--lines", os.path.join(CONFORMANCE, lines), "--golden", os.path.join(CONFORMANCE, golden)]
    if mapping:
        args += ["--mapping", os.path.join(CONFORMANCE, mapping)]
    if allow_absent:
        args += ["--allow-absent", ",".join(allow_absent)]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


# With ingest threads, UDP lines are spread over worker shards by name and merged at scrape: the output must not
# change.
@pytest.mark.parametrize("ingest_threads", [1, 3])
def test_statsd_lines_match_statsd_exporter(ingest_threads):
    run_check("statsd-lines.txt", "expected-statsd-lines.json", ingest_threads=ingest_threads)


@pytest.mark.parametrize("ingest_threads", [1, 3])
def test_mapping_lines_match_statsd_exporter(ingest_threads):
    run_check("mapping-lines.txt", "expected-mapping.json", mapping="mapping.yml", ingest_threads=ingest_threads)
