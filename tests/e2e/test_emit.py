"""`tributary emit`: one metric from the command line over StatsD or the JSON feed."""
import subprocess

from conftest import binary_path
from promparse import key


def emit(*args):
    r = subprocess.run([binary_path(), "emit", *args], capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    return r


def test_emit_statsd_raw_and_built(tributary_factory):
    t = tributary_factory(tcp=False)
    addr = "127.0.0.1:%d" % t.udp_port
    emit("--statsd.address", addr, "emit.raw:2|c|#env:prod")
    emit("--statsd.address", addr, "--name", "emit.built", "--type", "timer", "--value", "250", "--label", "route=/a")
    s = t.wait_for(lambda s: s.get(key("emit_raw", env="prod")) == 2 and s.get(key("emit_built_count", route="/a")) == 1)
    assert s[key("emit_built_sum", route="/a")] == 0.25


def test_emit_json_feed(tributary_factory, tmp_path):
    feed = str(tmp_path / "feed.sock")
    t = tributary_factory(tcp=False, extra_args=["--json.listen-unix=" + feed])
    emit("--json.socket", feed, "--name", "deploys_total", "--type", "counter", "--value", "3", "--label", 'env=pr"od')
    emit("--json.socket", feed, '{"name":"queue_depth","type":"gauge","value":7}')
    s = t.wait_for(lambda s: s.get(key("deploys_total", env='pr"od')) == 3 and s.get(key("queue_depth")) == 7)
    assert s[key("tributary_json_errors_total", reason="invalid_json")] == 0


def test_emit_rejects_bad_input():
    r = subprocess.run([binary_path(), "emit", "--name", "x", "--type", "bogus", "--value", "1"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode != 0 and "--type" in r.stderr
    r = subprocess.run([binary_path(), "emit"], capture_output=True, text=True, timeout=20)
    assert r.returncode != 0
