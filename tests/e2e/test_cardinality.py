"""The cardinality view: `/api/v1/cardinality` against a known workload, `tributary cardinality`, and the table on
the status page in headless Chromium (checked in the DOM and, by OCR, in the screenshot)."""
import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import binary_path, free_port, http_get
from promparse import key
from test_status_page import chromium

MAPPING = """defaults:
  tributary_drop_labels: [request_id]
mappings:
- match: "checkout.*.latency"
  name: "checkout_latency_seconds"
  labels:
    step: "$1"
  tributary_max_series_per_metric: 5
"""


@pytest.fixture
def workload(tributary_factory, tmp_path):
    """15 `leaky_requests` series (request_id dropped), 5 of 8 checkout steps (rule budget 5), one gauge."""
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(MAPPING)
    t = tributary_factory(["--statsd.mapping-config=%s" % mapping, "--limits.max-series-per-metric=20"])
    leaky = "\n".join("leaky.requests:1|c|#user_id:u%d,env:e%d,request_id:r%d" % (i, i % 2, i) for i in range(15))
    steps = "\n".join("checkout.step%d.latency:10|ms" % i for i in range(8))
    t.send_tcp(leaky + "\n" + steps + "\nup:1|g\n")
    t.wait_for(lambda s: s.get(key("tributary_series_limited_total", metric_name="checkout_latency_seconds")) == 3
               and s.get(key("tributary_metrics", type="counter")) == 15 and key("up") in s)
    return t


def test_api_figures_match_the_workload(workload):
    status, headers, body = http_get(workload.base + "/api/v1/cardinality?limit=2")
    assert status == 200 and headers["Content-Type"] == "application/json"
    report = json.loads(body)
    assert report["total_series"] == 21 and report["metric_names"] == 3 and report["limit"] == 2
    assert report["max_series"] == 0 and report["overflow"] == "drop"
    top, second = report["metrics"]
    assert top["name"] == "leaky_requests" and top["type"] == "counter" and top["series"] == 15
    assert top["budget"] == 20 and top["budget_source"] == "flag" and top["limited_samples"] == 0
    assert [(l["name"], l["distinct_values"]) for l in top["labels"]] == [("user_id", 15), ("env", 2)]
    assert top["labels"][1]["example_values"] == ["e0", "e1"]
    assert second["name"] == "checkout_latency_seconds" and second["type"] == "summary"
    assert second["series"] == 5 and second["budget"] == 5 and second["budget_source"] == "rule"
    assert second["limited_samples"] == 3
    assert second["labels"][0]["name"] == "step" and second["labels"][0]["distinct_values"] == 5

    status, _, body = http_get(workload.base + "/api/v1/cardinality?limit=zero")
    assert status == 400 and b"limit must be an integer" in body


def test_cli_prints_a_table(workload):
    r = subprocess.run([binary_path(), "cardinality", "--url", workload.base, "--limit", "2"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "21 series in 3 metric names (no overall budget)"
    assert lines[1].split() == ["METRIC", "TYPE", "SERIES", "BUDGET", "LIMITED", "LABELS", "(distinct", "values:",
                                "examples)"]
    assert re.match(r"leaky_requests\s+counter\s+15\s+20 flag\s+0\s+user_id 15: u0, u10, u12, …; env 2: e0, e1$",
                    lines[2]), lines[2]
    assert re.match(r"checkout_latency_seconds\s+summary\s+5\s+5 rule\s+3\s+step 5: ", lines[3]), lines[3]
    assert lines[4] == "(the 2 largest of 3; --limit shows more)"

    r = subprocess.run([binary_path(), "cardinality", "--url", workload.base, "--json"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 0 and json.loads(r.stdout)["metric_names"] == 3


def test_cli_fails_clearly_without_a_server():
    port = free_port()
    r = subprocess.run([binary_path(), "cardinality", "--url", "http://127.0.0.1:%d" % port],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode != 0 and "cannot connect to 127.0.0.1:%d" % port in r.stderr
    r = subprocess.run([binary_path(), "cardinality", "--url", "https://127.0.0.1:1"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode != 0 and "must start with http://" in r.stderr


def test_status_page_table_in_headless_chromium(workload, tmp_path):
    code, dom, err = chromium(tmp_path, "--virtual-time-budget=6000", "--dump-dom", workload.base + "/")
    assert code == 0, err[-2000:]
    assert "<h2>Cardinality</h2>" in dom
    assert "21 series in 3 metric names (no overall budget)" in dom
    assert ('<tr><td>leaky_requests</td><td>counter</td><td class="n">15</td><td class="n">20 (flag)</td>'
            '<td class="n">0</td><td>user_id: 15 (u0, u10, u12, …); env: 2 (e0, e1)</td></tr>') in dom, dom[-4000:]
    assert ('<td>checkout_latency_seconds</td><td>summary</td><td class="n">5</td><td class="n">5 (rule)</td>'
            '<td class="n bad">3</td>') in dom

    shot = tmp_path / "cardinality.png"
    code, _, err = chromium(tmp_path, "--virtual-time-budget=6000", "--window-size=1280,1600",
                            "--force-device-scale-factor=2", "--screenshot=%s" % shot, workload.base + "/")
    assert code == 0, err[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    tesseract = shutil.which("tesseract")
    assert tesseract, "tesseract is not installed (.ci/run installs it: apt-get install tesseract-ocr)"
    ocr = subprocess.run([tesseract, str(shot), "-", "--psm", "3"], capture_output=True, text=True, timeout=120)
    assert ocr.returncode == 0, ocr.stderr[-2000:]
    words = re.sub(r"\s+", " ", ocr.stdout)
    assert "leaky_requests" in words and "checkout_latency_seconds" in words, words[-3000:]
    keep = os.environ.get("TRIBUTARY_SCREENSHOT_DIR")
    if keep:
        shutil.copy(shot, os.path.join(keep, "cardinality.png"))
