"""The status page `/` in headless Chromium: live counters, unmapped names and the explainer's answer."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import urllib.parse

import pytest

from conftest import http_get
from promparse import key

MAPPING = """mappings:
- match: "web.*.requests"
  name: "web_requests_total"
  labels:
    handler: "$1"
"""

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(tmp_path, *args, timeout=90):
    """Runs headless Chromium in its own session and profile; kills that session if it overruns."""
    profile = tmp_path / "chromium-profile"
    assert CHROMIUM, "chromium is not installed (.ci/run installs it: apt-get install chromium)"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
           "--disable-dev-shm-usage", "--user-data-dir=%s" % profile, *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=10)
        raise AssertionError("chromium did not finish within %ss" % timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


@pytest.fixture
def loaded(tributary_factory, tmp_path):
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(MAPPING)
    t = tributary_factory(["--statsd.mapping-config=%s" % mapping])
    t.send_udp("web.home.requests:1|c\nweb.home.requests:2|c\nweb.api.requests:1|c",
               "checkout.cart.size:3|h\nnot a statsd line")
    t.wait_for(lambda s: s.get(key("web_requests_total", handler="home")) == 3
               and key("checkout_cart_size_count") in s)
    return t


def test_status_json(loaded):
    status, headers, body = http_get(loaded.base + "/api/v1/status")
    assert status == 200 and headers["Content-Type"] == "application/json"
    s = json.loads(body)
    assert s["counters"]["lines"] == 5 and s["counters"]["samples"] == 4 and s["counters"]["packets"] == 2
    assert s["series"]["counter"] == 2 and s["series"]["summary"] == 1
    assert s["errors"]["malformed_line"] == 1
    assert s["reload"]["last_outcome"] == "success" and s["reload"]["rules"] == 1
    assert [(l["protocol"], l["kind"], l["bound"]) for l in s["listeners"]] == [
        ("statsd", "udp", True), ("statsd", "tcp", True), ("http", "http", True)]
    assert s["listeners"][0]["packets"] == 2 and s["listeners"][1]["connections"] == 0
    assert s["ready"] is True


def test_status_page_in_headless_chromium(loaded, tmp_path):
    line = "web.home.requests:1|c|#env:prod"
    url = loaded.base + "/?explain=" + urllib.parse.quote(line, safe="")
    code, dom, err = chromium(tmp_path, "--virtual-time-budget=8000", "--dump-dom", url)
    assert code == 0, err[-2000:]

    # the explainer's answer: the rule, the resulting series, whether it is live
    assert 'rule 0 "web.*.requests" (glob) matched' in dom, dom[-3000:]
    assert '→ counter web_requests_total{env="prod",handler="home"}' in dom
    assert "new series of the live counter web_requests_total" in dom
    # live counters from /api/v1/status (two polls: totals and a computed rate)
    lines = re.search(r"<tr><td>StatsD lines</td><td class=\"n\">([\d,]+)</td><td class=\"n\">([^<]+)</td></tr>", dom)
    assert lines and lines.group(1) == "5", dom[:4000]
    assert lines.group(2) != "…", "no rate: the page polled only once"
    assert re.search(r"<tr><td>counter</td><td class=\"n\">2</td></tr>", dom)
    assert "<tr><td>StatsD</td><td>malformed_line</td>" in dom
    assert "<td>StatsD</td><td>udp</td><td>127.0.0.1:%d (port %d)</td><td class=\"ok\">bound</td><td>2 packets</td>" % (
        loaded.udp_port, loaded.udp_port) in dom
    # unmapped names from /api/v1/unmapped, the reload state
    assert "<td>checkout.cart.size</td><td>StatsD</td><td>h</td><td>checkout_cart_size</td><td class=\"n\">1</td>" in dom
    assert "success at" in dom

    shot = tmp_path / "status.png"
    code, _, err = chromium(tmp_path, "--virtual-time-budget=8000", "--window-size=1280,1400",
                            "--screenshot=%s" % shot, url)
    assert code == 0, err[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep = os.environ.get("TRIBUTARY_SCREENSHOT_DIR")
    if keep:
        shutil.copy(shot, os.path.join(keep, "status.png"))


def test_json_feed_on_the_status_page_in_headless_chromium(tributary_factory, tmp_path):
    """The JSON feed's socket is listed under Listeners with its counts; its unmapped names carry the protocol and
    their sample counts; its lines, samples and errors are counted."""
    feed = str(tmp_path / "feed.sock")
    t = tributary_factory(["--json.listen-unix=" + feed], tcp=False)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(feed)
    s.sendall(b'{"name":"jobs.done","type":"counter","value":1}\n{"name":"jobs.done","type":"counter","value":2}\n'
              b'{"name":"jobs.done","type":"counter","value":1,"lables":{}}\n')
    s.close()
    t.wait_for(lambda m: m.get(key("jobs_done")) == 3)

    status = json.loads(http_get(t.base + "/api/v1/status")[2])
    assert status["listeners"][1] == {"protocol": "json", "kind": "unix", "address": feed, "bound": True,
                                      "connections": 1, "open_connections": 0,
                                      "rejected_connections": 0}
    assert status["counters"]["json_samples"] == 2 and status["counters"]["json_unmapped"] == 2
    assert status["counters"]["json_errors"] == 1 and status["json_errors"]["unknown_field"] == 1
    unmapped = json.loads(http_get(t.base + "/api/v1/unmapped")[2])["names"]
    assert [(u["name"], u["protocol"], u["samples"]) for u in unmapped] == [("jobs.done", "json", 2)]

    code, dom, err = chromium(tmp_path, "--virtual-time-budget=8000", "--dump-dom", t.base + "/")
    assert code == 0, err[-2000:]
    assert "StatsD and JSON feed to Prometheus exporter" in dom
    assert ('<td>JSON feed</td><td>unix</td><td>%s</td><td class="ok">bound</td><td>1 connection, 0 open</td>'
            % feed) in dom, dom[-4000:]
    assert '<tr><td>JSON feed samples</td><td class="n">2</td>' in dom
    assert '<tr><td>JSON feed unmapped</td><td class="n">2</td>' in dom
    assert "<tr><td>JSON feed</td><td>unknown_field</td><td class=\"n\">1</td>" in dom
    assert ('<td>jobs.done</td><td>JSON feed</td><td>c</td><td>jobs_done</td><td class="n">2</td>') in dom
    shot = tmp_path / "status-json.png"
    code, _, err = chromium(tmp_path, "--virtual-time-budget=8000", "--window-size=1280,1400",
                            "--screenshot=%s" % shot, t.base + "/")
    assert code == 0, err[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep = os.environ.get("TRIBUTARY_SCREENSHOT_DIR")
    if keep:
        shutil.copy(shot, os.path.join(keep, "status-json.png"))
