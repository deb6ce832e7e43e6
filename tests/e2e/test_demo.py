"""`tributary demo` feeds both StatsD and the JSON feed, as the quick start runs it."""
import os
import subprocess

from conftest import binary_path
from promparse import key


def test_demo_sends_statsd_and_json_feed(tributary_factory, tmp_path):
    feed = str(tmp_path / "feed.sock")
    t = tributary_factory(tcp=False, extra_args=["--json.listen-unix=" + feed])
    r = subprocess.run([binary_path(), "demo", "--statsd.address", "127.0.0.1:%d" % t.udp_port, "--json.socket", feed,
                        "--rate", "100", "--duration", "1.5"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    s = t.wait_for(lambda s: s.get(key("job_queue_depth", queue="emails")) is not None
                   and any(k[0] == "http_request_duration_count" for k in s))
    counts = [v for k, v in s.items() if k[0] == "job_duration_seconds_count"]
    assert counts and counts[0] >= 10
    assert s[key("job_duration_seconds_bucket", queue="emails", le="+Inf")] == counts[0]
    assert s[key("tributary_json_errors_total", reason="invalid_json")] == 0
