"""The real Prometheus server (Debian's `prometheus`) scrapes Tributary; promtool checks the exposition."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse

import pytest

from conftest import PrometheusServer, free_port, http_get


def require(tool):
    path = shutil.which(tool)
    if not path:
        pytest.fail("%s not installed (apt-get install prometheus)" % tool)
    return path


def test_exposition_passes_promtool_check_metrics(tributary):
    promtool = require("promtool")
    tributary.send_udp("pt.requests:1|c|#route:/a", "pt.latency:12|ms|#route:/a", "pt.temp:3|g",
                       "pt.size:5|h", 'pt.quote:1|c|#v:a"b\\c', "pt.users:u1|s")
    tributary.wait_for(lambda s: any(k[0] == "pt_latency_count" for k in s))
    text = tributary.scrape()
    r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    # Naming lints (counters without _total, as statsd_exporter keeps the input's names) are expected;
    # format errors are not.
    problems = [line for line in (r.stdout + r.stderr).splitlines()
                if line.strip() and "should have \"_total\" suffix" not in line
                and "counter metrics should have" not in line and "non-histogram and non-summary metrics should not have" not in line]
    assert not [p for p in problems if "error" in p.lower()], r.stdout + r.stderr


def test_real_prometheus_scrapes_values(tributary):
    tributary.send_udp("prom.orders:5|c|#shop:eu", "prom.orders:2|c|#shop:eu", "prom.queue:9|g")
    tributary.wait_for(lambda s: len([k for k in s if k[0] == "prom_orders"]) == 1)
    with PrometheusServer(["127.0.0.1:%d" % tributary.http_port]) as server:
        port = server.port
        deadline = time.time() + 60
        result = None
        while time.time() < deadline:
            try:
                q = urllib.parse.quote('prom_orders{shop="eu"}')
                status, _, body = http_get("http://127.0.0.1:%d/api/v1/query?query=%s" % (port, q), timeout=2)
                if status == 200:
                    data = json.loads(body)["data"]["result"]
                    if data:
                        result = data
                        break
            except OSError:
                pass
            time.sleep(0.5)
        assert result, "Prometheus never saw prom_orders"
        assert float(result[0]["value"][1]) == 7
        status, _, body = http_get("http://127.0.0.1:%d/api/v1/query?query=up" % port)
        assert json.loads(body)["data"]["result"][0]["value"][1] == "1"
