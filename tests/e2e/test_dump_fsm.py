"""--debug.dump-fsm=FILE writes the glob matcher as a Graphviz dot file at start and on every reload, as
statsd_exporter does; Debian's `dot` renders it."""
import shutil
import subprocess
import time

import pytest

from conftest import http_get

MAPPING = """mappings:
- match: "web.*.requests"
  name: web_requests_total
  labels: {handler: "$1"}
- match: "web.*.latency"
  match_metric_type: observer
  name: web_latency_seconds
- match: "db.query-*.count"
  name: db_queries_total
"""


def render(path):
    dot = shutil.which("dot")
    if not dot:
        pytest.fail("graphviz not installed (apt-get install graphviz; .ci/run does)")
    result = subprocess.run([dot, "-Tsvg", str(path)], capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


def test_dump_fsm_at_start_and_on_reload(tributary_factory, tmp_path):
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(MAPPING)
    dump = tmp_path / "fsm.dot"
    t = tributary_factory(extra_args=["--statsd.mapping-config=" + str(mapping), "--debug.dump-fsm=" + str(dump),
                                      "--web.enable-lifecycle"])
    text = dump.read_text()
    assert text.startswith("digraph g {\nrankdir=LR\n")
    for label in ['"web"', '"*"', '"requests"', '"latency"', '"db"', '"query-*"', '"count"']:
        assert "[label = %s]" % label in text, label
    assert "counter: rule 0" in text and "observer: rule 1" in text
    svg = render(dump)
    assert "<svg" in svg and "requests" in svg

    mapping.write_text(MAPPING + '- match: "cache.*.hits"\n  name: cache_hits_total\n')
    status, _, body = http_get(t.base + "/-/reload", method="POST", data=b"")
    assert status == 200, body
    deadline = time.time() + 5
    while '"hits"' not in dump.read_text() and time.time() < deadline:
        time.sleep(0.05)
    assert '[label = "hits"]' in dump.read_text()
    assert "hits" in render(dump)


def test_dump_fsm_without_mapping_is_an_empty_graph(tributary_factory, tmp_path):
    dump = tmp_path / "fsm.dot"
    tributary_factory(extra_args=["--debug.dump-fsm=" + str(dump)])
    assert "->" not in dump.read_text()
    assert "<svg" in render(dump)
