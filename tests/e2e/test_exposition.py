"""Exposition formats end to end: OpenMetrics text, and the real Prometheus (Debian's 2.42) scraping delimited
protobuf with native histograms and exemplars. Loopback only; every wait is bounded."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse

import pytest

from conftest import PrometheusServer, free_port, http_get

OPENMETRICS = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
PROTOBUF = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7," \
           "text/plain;version=0.0.4;q=0.3"
MAPPING = """defaults:
  observer_type: histogram
  histogram_options:
    native_histogram_bucket_factor: 1.1
    native_histogram_max_buckets: 160
mappings: []
"""


def require(tool):
    path = shutil.which(tool)
    if not path:
        pytest.fail("%s not installed (apt-get install prometheus)" % tool)
    return path


def start(tributary_factory, openmetrics=True):
    tmp = tempfile.mkdtemp(prefix="expo-e2e-")
    mapping = os.path.join(tmp, "mapping.yml")
    with open(mapping, "w") as f:
        f.write(MAPPING)
    sock = os.path.join(tmp, "json.sock")
    args = ["--statsd.mapping-config=" + mapping, "--json.listen-unix=" + sock]
    if openmetrics:
        args.append("--web.enable-openmetrics")
    return tributary_factory(extra_args=args, tcp=False), sock


def send_json(path, objects):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    s.sendall("".join(json.dumps(o) + "\n" for o in objects).encode())
    s.close()


def wait_scrape(t, headers, predicate, timeout=10):
    deadline = time.time() + timeout
    status, hdrs, body = None, {}, b""
    while time.time() < deadline:
        status, hdrs, body = http_get(t.base + "/metrics", headers=headers)
        if status == 200 and predicate(body):
            return hdrs, body
        time.sleep(0.05)
    raise AssertionError("scrape never matched: %r" % body[-2000:])


def test_openmetrics_output(tributary_factory):
    t, sock = start(tributary_factory)
    send_json(sock, [
        {"name": "om.hits", "type": "counter", "value": 3, "labels": {"route": "/a"},
         "exemplar": {"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7"}},
        {"name": "om.latency", "type": "histogram", "value": 0.3, "exemplar": {"trace_id": "abc"}},
    ])
    hdrs, body = wait_scrape(t, {"Accept": OPENMETRICS}, lambda b: b"om_latency_count" in b)
    text = body.decode()
    assert hdrs["Content-Type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8"
    assert text.endswith("# EOF\n")
    assert "# TYPE om_hits counter\n" in text
    assert ('om_hits_total{route="/a"} 3 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736",span_id="00f067aa0ba902b7"} 3 '
            in text)
    assert 'om_hits_created{route="/a"} ' in text
    assert 'om_latency_bucket{le="0.5"} 1 # {trace_id="abc"} 0.3 ' in text
    # Without --web.enable-openmetrics the same Accept gets text 0.0.4.
    hdrs, _ = wait_scrape(t, {}, lambda b: True)
    assert hdrs["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"


def test_openmetrics_without_exemplars_parses_with_promtool(tributary_factory):
    """promtool 2.42's `check metrics` reads the text 0.0.4 grammar: it parses OpenMetrics without exemplars (its
    lint notes about `_created` and `_total` naming are expected), not exemplars."""
    promtool = require("promtool")
    t, sock = start(tributary_factory)
    send_json(sock, [{"name": "pt.hits", "type": "counter", "value": 1},
                     {"name": "pt.size", "type": "histogram", "value": 5}])
    _, body = wait_scrape(t, {"Accept": OPENMETRICS}, lambda b: b"pt_size_count" in b)
    r = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True, timeout=30)
    output = (r.stdout + r.stderr).decode()
    assert "error while linting" not in output and "parsing error" not in output, output
    assert r.returncode in (0, 3), output


def test_prometheus_scrapes_protobuf_native_histogram_and_exemplar(tributary_factory):
    t, sock = start(tributary_factory, openmetrics=False)
    values = [i / 100 for i in range(1, 1001)]  # 0.01 … 10, true median 5.005
    send_json(sock, [{"name": "nh.latency", "type": "histogram", "value": v} for v in values])
    trace = "0af7651916cd43dd8448eb211c80319c"
    send_json(sock, [{"name": "nh.hits", "type": "counter", "value": 2,
                      "exemplar": {"trace_id": trace, "span_id": "b7ad6b7169203331"}}])
    hdrs, body = wait_scrape(t, {"Accept": PROTOBUF}, lambda b: b"nh_hits" in b and b"nh_latency" in b)
    assert hdrs["Content-Type"].startswith("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily")

    server = PrometheusServer(["127.0.0.1:%d" % t.http_port], features=("native-histograms", "exemplar-storage"))
    api = server.api

    def query(q):
        status, _, body = http_get(api + "query?query=" + urllib.parse.quote(q), timeout=2)
        return json.loads(body)["data"]["result"] if status == 200 else []

    try:
        deadline = time.time() + 60
        median = None
        while time.time() < deadline:
            try:
                result = query("histogram_quantile(0.5, nh_latency)")
                if result and result[0]["value"][1] not in ("NaN",):
                    median = float(result[0]["value"][1])
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert median is not None, "Prometheus never answered histogram_quantile over nh_latency"
        # Schema 3 (factor 1.1 → 2^(1/8) ≈ 1.0905): a bucket's relative width bounds the error.
        true_median = (values[499] + values[500]) / 2
        assert abs(median - true_median) / true_median <= 2 ** (2 ** -3) - 1, (median, true_median)
        # The series is native: Prometheus's count function over it works, the classic _bucket series are absent.
        assert float(query("histogram_count(nh_latency)")[0]["value"][1]) == len(values)

        found = None
        deadline = time.time() + 30
        while time.time() < deadline and not found:
            now = time.time()
            status, _, body = http_get(api + "query_exemplars?query=nh_hits&start=%f&end=%f" % (now - 600, now + 60),
                                       timeout=2)
            if status == 200:
                for series in json.loads(body)["data"]:
                    for exemplar in series["exemplars"]:
                        if exemplar["labels"].get("trace_id") == trace:
                            found = exemplar
            time.sleep(0.5)
        assert found, "exemplar not visible through /api/v1/query_exemplars"
        assert found["labels"]["span_id"] == "b7ad6b7169203331"
        assert float(found["value"]) == 2
    finally:
        server.__exit__(None, None, None)
