"""Persistence (--storage.path): series state survives a restart of the real binary (loopback only, bounded)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse

import pytest

import promparse
from conftest import PrometheusServer, Tributary, binary_path, free_port, http_get

MAPPING = """
defaults:
  observer_type: histogram
  histogram_options:
    buckets: [0.01, 0.1, 1]
mappings:
- match: "load.*.requests"
  name: "load_requests_total"
  labels:
    route: "$1"
"""
OPENMETRICS = {"Accept": "application/openmetrics-text;version=1.0.0"}


class Pinned(Tributary):
    """A tributary on given loopback ports (a restart keeps them: same scrape target, same UDP port)."""

    def __init__(self, http_port, udp_port, extra_args=()):
        self.tmp = tempfile.mkdtemp(prefix="tributary-e2e-")
        self.udp_port, self.tcp_port, self.http_port, self.unixgram_path = udp_port, None, http_port, None
        self.args = [binary_path(), "--web.listen-address=127.0.0.1:%d" % http_port,
                     "--statsd.listen-udp=127.0.0.1:%d" % udp_port, "--statsd.listen-tcp="] + list(extra_args)
        self.log_path = os.path.join(self.tmp, "stderr.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=self.log)

    def stop_with(self, sig):
        """Sends `sig` to our child and waits for it to exit (bounded); returns its stderr."""
        self.proc.send_signal(sig)
        self.proc.wait(20)
        text = self.stderr()
        self.stop()
        return text


@pytest.fixture
def storage():
    directory = tempfile.mkdtemp(prefix="tributary-storage-")
    mapping = os.path.join(directory, "mapping.yml")
    with open(mapping, "w") as f:
        f.write(MAPPING)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def pinned():
    started = []

    def start(http_port, udp_port, args):
        t = Pinned(http_port, udp_port, args)
        started.append(t)
        t.wait_ready()
        return t

    yield start
    for t in started:
        if t.proc.poll() is None:
            t.stop()


def args_for(storage, interval="1s", mapping=None, extra=()):
    return ["--storage.path=" + os.path.join(storage, "state"), "--storage.snapshot-interval=" + interval,
            "--statsd.mapping-config=" + (mapping or os.path.join(storage, "mapping.yml")),
            "--web.enable-openmetrics"] + list(extra)


class Load(threading.Thread):
    """Sends one datagram (a counter increment, a histogram observation) every `period` seconds; counts them."""

    def __init__(self, port, period=0.002):
        super().__init__(daemon=True)
        self.port, self.period, self.sent = port, period, 0
        self.running = threading.Event()
        self.running.set()
        self.done = threading.Event()

    def run(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        while self.running.is_set():
            s.sendto(b"load.a.requests:1|c\nload.latency:12|ms|#route:a", ("127.0.0.1", self.port))
            self.sent += 1
            time.sleep(self.period)
        s.close()
        self.done.set()

    def stop(self):
        self.running.clear()
        self.done.wait(5)


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


def wait_value(t, name, expected, timeout=10, **labels):
    return t.wait_for(lambda s: value(s, name, **labels) == expected, timeout=timeout)


def metric(t, name, **labels):
    return value(t.samples(), name, **labels)


def prometheus_query(server, query):
    status, _, body = http_get(server.api + "query?query=" + urllib.parse.quote(query), timeout=2)
    assert status == 200, body
    return json.loads(body)["data"]["result"]


def prometheus_samples(server, selector, least, timeout=40):
    """Waits until Prometheus holds at least `least` samples of `selector` from the last 5 minutes; returns the count."""
    deadline = time.time() + timeout
    count = 0
    while time.time() < deadline:
        try:
            result = prometheus_query(server, "count_over_time(%s[5m])" % selector)
            count = int(float(result[0]["value"][1])) if result else 0
        except OSError:
            pass
        if count >= least:
            return count
        time.sleep(0.5)
    pytest.fail("Prometheus has %d samples of %s, wanted %d" % (count, selector, least))


def test_sigterm_under_load_continues_every_counter_without_a_reset(storage, pinned):
    http_port, udp_port = free_port(), free_port(socket.SOCK_DGRAM)
    first = pinned(http_port, udp_port, args_for(storage))
    with PrometheusServer(["127.0.0.1:%d" % http_port]) as prometheus:
        load = Load(udp_port)
        load.start()
        first.wait_for(lambda s: (value(s, "load_requests_total", route="a") or 0) > 200, timeout=20)
        created = promparse.parse(first.scrape(OPENMETRICS).replace("# EOF", ""))[0]
        scraped_before = prometheus_samples(prometheus, 'load_requests_total{route="a"}', 3)
        before = first.samples()
        load.stop()
        log = first.stop_with(signal.SIGTERM)
        assert "final snapshot written on shutdown" in log, log

        second = pinned(http_port, udp_port, args_for(storage))
        after = second.samples()
        for key in [("load_requests_total", frozenset({("route", "a")})),
                    ("load_latency_count", frozenset({("route", "a")})),
                    ("load_latency_bucket", frozenset({("route", "a"), ("le", "0.1")}))]:
            assert after[key] >= before[key], (key, before[key], after[key])
            assert after[key] == load.sent, (key, after[key], load.sent)
        assert "snapshot restored: " in second.stderr()
        assert metric(second, "tributary_snapshot_restored_series") >= 2
        created_after = promparse.parse(second.scrape(OPENMETRICS).replace("# EOF", ""))[0]
        key = ("load_requests_created", frozenset({("route", "a")}))
        assert created_after[key] == created[key], "_created moved"

        resumed = Load(udp_port)
        resumed.start()
        prometheus_samples(prometheus, 'load_requests_total{route="a"}', scraped_before + 2)
        resumed.stop()
        total = load.sent + resumed.sent
        wait_value(second, "load_requests_total", total, route="a")
        wait_value(second, "load_latency_count", total, route="a")
        # Prometheus saw both processes and no reset between them.
        deadline = time.time() + 30
        while time.time() < deadline:
            result = prometheus_query(prometheus, 'load_requests_total{route="a"}')
            if result and float(result[0]["value"][1]) == total:
                break
            time.sleep(0.5)
        else:
            pytest.fail("Prometheus never scraped the final value %d" % total)
        for query in ['resets(load_requests_total{route="a"}[5m])', 'sum(resets(load_latency_bucket{route="a"}[5m]))',
                      'resets(load_latency_count{route="a"}[5m])', 'resets(load_latency_sum{route="a"}[5m])']:
            result = prometheus_query(prometheus, query)
            assert result and float(result[0]["value"][1]) == 0, (query, result)


def test_sigkill_under_load_loses_at_most_one_interval(storage, pinned):
    http_port, udp_port = free_port(), free_port(socket.SOCK_DGRAM)
    first = pinned(http_port, udp_port, args_for(storage, interval="1s"))
    load = Load(udp_port, period=0.002)
    began = time.time()
    load.start()
    first.wait_for(lambda s: (value(s, "load_requests_total", route="a") or 0) > 100, timeout=20)
    time.sleep(2.5)
    first.proc.send_signal(signal.SIGKILL)
    load.stop()
    per_second = load.sent / (time.time() - began)
    first.proc.wait(10)
    first.stop()

    second = pinned(http_port, udp_port, args_for(storage, interval="1s"))
    restored = metric(second, "load_requests_total", route="a")
    assert restored is not None and 0 < restored <= load.sent
    # At most one interval (1 s) of increments is missing, plus the time a write takes.
    missing = load.sent - restored
    assert missing <= 1.5 * per_second, (missing, per_second, load.sent)
    log = second.stderr()
    assert "snapshot restored: " in log and "dropped" not in log, log
    for reason in ["truncated", "checksum_mismatch", "invalid_value"]:
        assert metric(second, "tributary_snapshot_restore_dropped_total", reason=reason) == 0
    assert metric(second, "load_latency_count", route="a") == restored


def snapshot_from(storage, pinned, lines, expect, mapping=None):
    """Runs a tributary, sends `lines`, stops it with SIGTERM; returns the snapshot file's path."""
    http_port, udp_port = free_port(), free_port(socket.SOCK_DGRAM)
    t = pinned(http_port, udp_port, args_for(storage, mapping=mapping))
    t.send_udp(*lines)
    t.wait_for(lambda s: all(value(s, *key[:1], **dict(key[1:])) is not None for key in expect))
    t.stop_with(signal.SIGTERM)
    path = os.path.join(storage, "state", "tributary.snapshot")
    assert os.path.getsize(path) > 100
    return path


LINES = ["load.a.requests:7|c", "load.b.requests:3|c", "pool.size:15|g", "load.latency:12|ms|#route:a"]
EXPECT = [("load_requests_total", ("route", "a")), ("load_requests_total", ("route", "b")), ("pool_size",),
          ("load_latency_count", ("route", "a"))]


@pytest.mark.parametrize("damage", ["truncated", "bit_flip"])
def test_damaged_snapshot_starts_cleanly_with_what_is_valid(storage, pinned, damage):
    path = snapshot_from(storage, pinned, LINES, EXPECT)
    with open(path, "rb") as f:
        data = bytearray(f.read())
    if damage == "truncated":
        data = data[:len(data) * 2 // 3]
        reason = "truncated"
    else:
        data[len(data) // 2] ^= 0x10
        reason = "checksum_mismatch"
    with open(path, "wb") as f:
        f.write(data)
    t = pinned(free_port(), free_port(socket.SOCK_DGRAM), args_for(storage))
    log = t.stderr()
    lines = [line for line in log.splitlines() if "snapshot restored in part" in line]
    assert len(lines) == 1 and reason in lines[0], log
    assert metric(t, "tributary_snapshot_restore_dropped_total", reason=reason) >= 1
    assert metric(t, "tributary_snapshot_restored_series") >= 1
    # The process runs on: new samples are counted and the next snapshot is whole again.
    t.send_udp("load.c.requests:1|c")
    wait_value(t, "load_requests_total", 1, route="c")
    t.wait_for(lambda s: (value(s, "tributary_snapshot_writes_total") or 0) >= 1, timeout=10)


def test_snapshot_from_another_mapping_keeps_what_it_still_produces(storage, pinned):
    snapshot_from(storage, pinned, LINES, EXPECT)
    changed = os.path.join(storage, "changed.yml")
    with open(changed, "w") as f:
        f.write(MAPPING.replace('name: "load_requests_total"', 'name: "renamed_requests_total"'))
    t = pinned(free_port(), free_port(socket.SOCK_DGRAM), args_for(storage, mapping=changed))
    log = t.stderr()
    lines = [line for line in log.splitlines() if "snapshot restored in part" in line]
    assert len(lines) == 1 and "mapping_changed" in lines[0], log
    assert metric(t, "tributary_snapshot_restore_dropped_total", reason="mapping_changed") == 2
    samples = t.samples()
    assert value(samples, "load_requests_total", route="a") is None
    assert value(samples, "pool_size") == 15
    assert value(samples, "load_latency_count", route="a") == 1


def test_unwritable_storage_starts_cleanly_and_counts_failures(storage, pinned):
    blocker = os.path.join(storage, "a-file")
    open(blocker, "w").close()
    args = ["--storage.path=" + os.path.join(blocker, "state"), "--storage.snapshot-interval=200ms"]
    t = pinned(free_port(), free_port(socket.SOCK_DGRAM), args)
    t.send_udp("still.works:1|c")
    wait_value(t, "still_works", 1)
    t.wait_for(lambda s: (value(s, "tributary_snapshot_write_failures_total") or 0) >= 2, timeout=10)
    log = t.stderr()
    assert "snapshot not restored: storage unreadable" in log, log
    assert len([line for line in log.splitlines() if "snapshot write failed" in line]) == 1, log
    status, _, body = http_get(t.base + "/api/v1/status")
    assert status == 200 and "Not a directory" in json.loads(body)["storage"]["last_error"]


def test_gauge_sent_once_is_still_there_after_a_restart(storage, pinned):
    http_port, udp_port = free_port(), free_port(socket.SOCK_DGRAM)
    first = pinned(http_port, udp_port, args_for(storage, interval="1h"))
    first.send_udp("app.version:42|g|#release:v1.2.3", "app.flags:0|g")
    wait_value(first, "app_version", 42, release="v1.2.3")
    first.stop_with(signal.SIGTERM)
    second = pinned(http_port, udp_port, args_for(storage, interval="1h"))
    samples = second.samples()
    assert value(samples, "app_version", release="v1.2.3") == 42
    assert value(samples, "app_flags") == 0
    status, _, body = http_get(second.base + "/api/v1/status")
    storage_status = json.loads(body)["storage"]
    assert storage_status["restored_series"] == 2 and storage_status.get("last_write_time") is None
