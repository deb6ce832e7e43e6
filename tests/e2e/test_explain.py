"""The mapping explainer (CLI and HTTP) and the unmapped-names list, against the built binary."""
import json
import subprocess
import urllib.parse

from conftest import binary_path, http_get
from promparse import key

MAPPING = """mappings:
- match: "web.*.requests"
  match_metric_type: gauge
  name: "web_gauge"
- match: "web.*.requests"
  name: "web_requests_total"
  labels:
    handler: "$1"
- match: "web.*.duration"
  observer_type: histogram
  histogram_options:
    buckets: [0.01, 0.1, 1]
  name: "web_duration_seconds"
- match: "noise.*"
  action: drop
  name: "dropped"
"""


def mapping_file(tmp_path):
    path = tmp_path / "mapping.yml"
    path.write_text(MAPPING)
    return str(path)


def explain_cli(*args):
    return subprocess.run([binary_path(), "explain", *args], capture_output=True, text=True, timeout=20)


def test_cli_text(tmp_path):
    r = explain_cli("--statsd.mapping-config", mapping_file(tmp_path),
                    "web.home.requests:1|c|#env:prod", "noise.x:1|g", "bad line")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert 'rule 1 "web.*.requests" (glob) matched' in out
    assert 'rule 0 "web.*.requests" (glob) skipped: match_metric_type is gauge' in out
    assert '→ counter web_requests_total{env="prod",handler="home"}' in out
    assert "dropped (action: drop)" in out
    assert "rejected: malformed_line" in out


def test_cli_json_histogram_and_parse_flags(tmp_path):
    r = explain_cli("--json", "--statsd.mapping-config", mapping_file(tmp_path), "web.api.duration:250|ms|@0.5",
                    "--no-statsd.parse-influxdb-tags", "plain,k=v:1|c")
    assert r.returncode == 0, r.stderr
    first, second = json.loads(r.stdout)
    assert first["samples"] == [{"sample_rate": 0.5, "statsd_type": "ms", "value": 250}]
    result = first["results"][0]
    assert result["mapping"]["matched_rule"] == {"index": 2, "match": "web.*.duration", "match_type": "glob"}
    assert result["prometheus_type"] == "histogram"
    assert result["mapping"]["histogram_buckets"] == [0.01, 0.1, 1]
    assert result["value_multiplier"] == 0.001
    assert second["tags"] == [] and second["results"][0]["series"] == "plain_k_v"


def test_cli_rejects_bad_mapping(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text('mappings:\n- match: "a.*"\n  name: "bad name"\n')
    r = explain_cli("--statsd.mapping-config", str(bad), "a.b:1|c")
    assert r.returncode == 1 and "rule 0" in r.stderr


def explain_http(t, line):
    status, headers, body = http_get(t.base + "/api/v1/explain?line=" + urllib.parse.quote(line, safe=""))
    return status, json.loads(body)


def test_http_explain_reports_conflict_with_live_series(tributary_factory, tmp_path):
    t = tributary_factory(extra_args=["--statsd.mapping-config=" + mapping_file(tmp_path)])
    t.send_udp("web.home.requests:1|c", "queue.depth:5|g")
    t.wait_for(lambda s: s.get(key("web_requests_total", handler="home")) == 1 and s.get(key("queue_depth")) == 5)

    status, body = explain_http(t, "web.home.requests:2|c")
    assert status == 200
    assert body["results"][0]["existing"] == {"family_type": "counter", "series_exists": True}

    status, body = explain_http(t, "queue.depth:+1|c")
    assert status == 200
    assert body["results"][0]["existing"]["conflict"] == {
        "family": "queue_depth", "existing_type": "gauge", "reason": "type_mismatch"}

    # A literal `+` stays a plus (not a space): StatsD relative gauges need it.
    status, _, raw = http_get(t.base + "/api/v1/explain?line=queue.depth:+1%7Cg")
    body = json.loads(raw)
    assert status == 200 and body["samples"][0]["relative"] is True
    assert body["results"][0]["existing"] == {"family_type": "gauge", "series_exists": True}

    assert http_get(t.base + "/api/v1/explain")[0] == 400
    assert http_get(t.base + "/api/v1/explain?line=")[0] == 400
    assert http_get(t.base + "/api/v1/explain?line=%E0%A4%A")[0] == 400
    status, _, body = http_get(t.base + "/api/v1/explain?line=a%0Ab")
    assert status == 400 and b"single" in body


def test_unmapped_names(tributary_factory, tmp_path):
    t = tributary_factory(extra_args=["--statsd.mapping-config=" + mapping_file(tmp_path),
                                      "--mapping.unmapped-names-limit=2"])
    t.send_udp("web.home.requests:1|c\nunknown.one:1|c\nunknown.one:2|c|#k:v\nunknown.two:3|ms\nunknown.three:1|g")
    t.wait_for(lambda s: s.get(key("unknown_three")) == 1)
    status, _, body = http_get(t.base + "/api/v1/unmapped")
    assert status == 200
    data = json.loads(body)
    assert data["limit"] == 2 and data["overflow"] == 1
    assert [(n["name"], n["statsd_type"], n["prometheus_name"]) for n in data["names"]] == [
        ("unknown.one", "c", "unknown_one"), ("unknown.two", "ms", "unknown_two")]
    assert all(n["first_seen_seconds_ago"] >= 0 for n in data["names"])
    assert [n["samples"] for n in data["names"]] == [2, 1]


def test_cli_json_dogstatsd_fields(tmp_path):
    line = "page.views:1|c|#route:/home|c:0123456789abcdef|e:it-false,cn-web|card:orchestrator|T1700000000"
    r = explain_cli("--json", line)
    assert r.returncode == 0, r.stderr
    (explained,) = json.loads(r.stdout)
    assert {"name": "container_id", "value": "0123456789abcdef"} in explained["tags"]
    assert explained["ignored"] == ["e:it-false,cn-web", "card:orchestrator", "T1700000000"]
    r = explain_cli("--json", "--no-statsd.container-id-label", line, "n:1|c|c:")
    off, malformed = json.loads(r.stdout)
    assert all(tag["name"] != "container_id" for tag in off["tags"])
    assert off["ignored"][0] == "c:0123456789abcdef"
    assert malformed["samples"] == [{"error": "malformed_container_id"}]
