"""Label rules (`tributary_drop_labels`): a hostile tag removed by a mapping reload while traffic flows, with no
sample lost and the collapsed series correct; `--check-config` validates the keys."""
import socket
import subprocess
import threading
import time

from conftest import binary_path, http_get
from promparse import key

BEFORE = """defaults:
  ttl: 5s
mappings:
- match: "web.*.requests"
  name: "web_requests_total"
  labels:
    handler: "$1"
"""
AFTER = BEFORE + "  tributary_drop_labels: [user_id]\n"


class TCPSender(threading.Thread):
    """Sends `web.home.requests:1|c|#user_id:N` lines over one TCP connection (no loss), `per_batch` lines every
    `pause` seconds, until stopped; `sent` counts them."""

    def __init__(self, port, per_batch, pause):
        super().__init__(daemon=True)
        self.port, self.per_batch, self.pause = port, per_batch, pause
        self.sent = 0
        self.stop_event = threading.Event()

    def run(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            while not self.stop_event.is_set():
                lines = "".join("web.home.requests:1|c|#user_id:%d\n" % (self.sent + i) for i in range(self.per_batch))
                s.sendall(lines.encode())
                self.sent += self.per_batch
                time.sleep(self.pause)

    def stop(self):
        self.stop_event.set()
        self.join(10)
        assert not self.is_alive()


def web_series(samples):
    return {labels: value for (name, labels), value in samples.items() if name == "web_requests_total"}


def test_reload_removes_a_hostile_tag_while_traffic_flows(tributary_factory, tmp_path):
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(BEFORE)
    t = tributary_factory(["--statsd.mapping-config=%s" % mapping, "--web.enable-lifecycle"])
    burst = TCPSender(t.tcp_port, per_batch=50, pause=0.02)
    burst.start()
    t.wait_for(lambda s: len(web_series(s)) >= 200)

    mapping.write_text(AFTER)
    status, _, body = http_get(t.base + "/-/reload", method="POST", data=b"")
    assert status == 200, body
    # Traffic keeps flowing into the collapsed series for a while after the reload.
    time.sleep(0.5)
    burst.stop()
    sent = burst.sent

    # No sample lost: old per-user series plus the collapsed one add up to everything sent.
    s = t.wait_for(lambda s: sum(web_series(s).values()) == sent)
    series = web_series(s)
    collapsed = series.get(frozenset({("handler", "home")}))
    assert collapsed and collapsed > 0, series
    assert len(series) > 100, "the hostile tag created series before the reload"
    assert all(dict(labels).keys() == {"handler", "user_id"} for labels in series if labels != frozenset({("handler", "home")}))

    # A known amount more lands in exactly one series; the old ones expire (ttl 5s) while it stays fresh.
    trickle = TCPSender(t.tcp_port, per_batch=10, pause=0.2)
    trickle.start()
    try:
        t.wait_for(lambda s: len(web_series(s)) == 1, timeout=25)
    finally:
        trickle.stop()
    s = t.wait_for(lambda s: web_series(s).get(frozenset({("handler", "home")})) == collapsed + trickle.sent)
    assert len(web_series(s)) == 1
    assert s[key("tributary_metrics", type="counter")] == 1
    assert s[key("tributary_series_expired_total")] == len(series) - 1


def test_check_config_validates_label_rules(tmp_path):
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(AFTER)
    r = subprocess.run([binary_path(), "--check-config", "--statsd.mapping-config=%s" % mapping],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    mapping.write_text(BEFORE + '  tributary_drop_labels: ["user id"]\n')
    r = subprocess.run([binary_path(), "--check-config", "--statsd.mapping-config=%s" % mapping],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 1
    assert "rule 0" in r.stderr and "tributary_drop_labels[0]" in r.stderr and 'invalid label name "user id"' in r.stderr


def test_explain_shows_dropped_labels(tmp_path):
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(AFTER)
    r = subprocess.run([binary_path(), "explain", "--statsd.mapping-config=%s" % mapping,
                        "web.home.requests:1|c|#user_id:42,env:prod"], capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    assert 'dropped by label rules: user_id="42"' in r.stdout
    assert 'counter web_requests_total{env="prod",handler="home"}' in r.stdout
