"""Mapping reload via SIGHUP and /-/reload: a bad file keeps the old mapping, values survive."""
import os
import signal
import time

from conftest import http_get
from promparse import key

GOOD_A = """mappings:
- match: "app.*.hits"
  name: "hits_total"
  labels:
    page: "$1"
"""
GOOD_B = """mappings:
- match: "app.*.hits"
  name: "hits_total"
  labels:
    page: "$1"
    version: "b"
"""
BAD = """mappings:
- match: "app.*.hits"
  name: "bad name"
"""


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def test_sighup_reload_applies_good_and_keeps_old_on_bad(tributary_factory, tmp_path):
    mapping = str(tmp_path / "mapping.yml")
    write(mapping, GOOD_A)
    t = tributary_factory(extra_args=["--statsd.mapping-config=" + mapping])
    t.send_udp("app.home.hits:2|c")
    t.wait_for(lambda s: s.get(key("hits_total", page="home")) == 2)

    write(mapping, BAD)
    t.proc.send_signal(signal.SIGHUP)
    s = t.wait_for(lambda s: s.get(key("tributary_config_reloads_total", outcome="failure")) == 1)
    t.send_udp("app.home.hits:3|c")
    s = t.wait_for(lambda s: s.get(key("hits_total", page="home")) == 5)
    assert t.proc.poll() is None

    write(mapping, GOOD_B)
    t.proc.send_signal(signal.SIGHUP)
    t.wait_for(lambda s: s.get(key("tributary_config_reloads_total", outcome="success")) == 2)
    t.send_udp("app.home.hits:1|c")
    s = t.wait_for(lambda s: s.get(key("hits_total", page="home", version="b")) == 1)
    # What was aggregated before the reload is still there.
    assert s[key("hits_total", page="home")] == 5


def test_http_reload_with_lifecycle(tributary_factory, tmp_path):
    mapping = str(tmp_path / "mapping.yml")
    write(mapping, GOOD_A)
    t = tributary_factory(extra_args=["--statsd.mapping-config=" + mapping, "--web.enable-lifecycle"])
    write(mapping, BAD)
    status, _, body = http_get(t.base + "/-/reload", method="POST", data=b"")
    assert status == 500 and b"bad name" in body
    write(mapping, GOOD_B)
    status, _, body = http_get(t.base + "/-/reload", method="PUT", data=b"")
    assert status == 200
    assert http_get(t.base + "/-/reload")[0] == 405


def test_bad_mapping_at_start_fails_with_rule_named(tmp_path):
    import subprocess
    from conftest import binary_path
    mapping = str(tmp_path / "mapping.yml")
    write(mapping, BAD)
    r = subprocess.run([binary_path(), "--check-config", "--statsd.mapping-config=" + mapping],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 1
    assert "rule 0" in r.stderr and "app.*.hits" in r.stderr
    write(mapping, GOOD_A)
    r = subprocess.run([binary_path(), "--check-config", "--statsd.mapping-config=" + mapping],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 0 and "1 mapping rule" in r.stdout


def test_ttl_expires_series(tributary_factory, tmp_path):
    mapping = str(tmp_path / "mapping.yml")
    write(mapping, "defaults:\n  ttl: 1s\nmappings: []\n")
    t = tributary_factory(extra_args=["--statsd.mapping-config=" + mapping])
    t.send_udp("short.lived:1|c")
    t.wait_for(lambda s: s.get(key("short_lived")) == 1)
    s = t.wait_for(lambda s: key("short_lived") not in s, timeout=10)
    assert s[key("tributary_series_expired_total")] >= 1
