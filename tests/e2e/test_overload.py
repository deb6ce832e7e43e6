"""Overload and faults, on loopback, bounded in count and time: floods, hostile TCP clients, SIGTERM with a
grace period, SIGKILL and restart, reload under load."""
import os
import signal
import socket
import threading
import time

import pytest

from conftest import Tributary, http_get
from promparse import key


def flood_udp(port, seconds, max_datagrams, payloads):
    """Sends datagrams as fast as one socket can, for at most `seconds` and `max_datagrams`; returns the count."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = 0
    deadline = time.time() + seconds
    n = len(payloads)
    while sent < max_datagrams and time.time() < deadline:
        for _ in range(200):
            try:
                s.sendto(payloads[sent % n], ("127.0.0.1", port))
            except OSError:
                pass  # ENOBUFS under pressure: the point is to overload
            sent += 1
    s.close()
    return sent


def probe_latencies(url, stop, results):
    while not stop.is_set():
        start = time.perf_counter()
        status, _, _ = http_get(url, timeout=5)
        results.append((status, time.perf_counter() - start))
        time.sleep(0.05)


# With ingest threads, a reader that gets ahead of its workers waits for a batch buffer on its event loop. HTTP has
# its own event-loop group, so the probes never queue behind that wait (BlockedIngestTests in the Swift suite holds
# the workers deliberately and shows both endpoints answering within 100 ms).
@pytest.mark.parametrize("ingest_threads", [1, 2])
def test_udp_flood_keeps_http_responsive_memory_bounded_and_drops_visible(tributary_factory, ingest_threads):
    t = tributary_factory(["--statsd.read-buffer=65536", "--limits.max-series=2000",
                           "--statsd.ingest-threads=%d" % ingest_threads])
    before = t.samples()[key("tributary_process_resident_memory_bytes")]
    # Known series plus an endless supply of new names: the budget keeps memory bounded.
    payloads = [("flood.known:1|c|#k:%d\nflood.g:%d|g\nflood.new_%d:1|c" % (i % 10, i, i)).encode() for i in range(50000)]
    stop = threading.Event()
    healthy, metrics = [], []
    probes = [threading.Thread(target=probe_latencies, args=(t.base + "/-/healthy", stop, healthy)),
              threading.Thread(target=probe_latencies, args=(t.base + "/metrics", stop, metrics))]
    for p in probes:
        p.start()
    try:
        flood_udp(t.udp_port, seconds=6, max_datagrams=3_000_000, payloads=payloads)
    finally:
        stop.set()
        for p in probes:
            p.join(10)
    s = t.samples()
    assert healthy and metrics
    print("flood: packets=%d kernel_drops=%d healthy_probes=%d max_latency=%.3f" % (
        s[key("tributary_udp_packets_total")], s[key("tributary_udp_kernel_drops_total")], len(healthy),
        max(latency for _, latency in healthy)))
    assert all(status == 200 for status, _ in healthy + metrics)
    latencies = sorted(latency for _, latency in healthy)
    # /-/healthy within 100 ms while flooded (the 95th percentile; a shared 2-core CI machine can stall a probe).
    assert latencies[int(len(latencies) * 0.95) - 1] < 0.1, latencies
    assert latencies[-1] < 1.0, latencies
    assert s[key("tributary_udp_kernel_drops_total")] > 0
    assert s[key("tributary_udp_packets_total")] > 0
    assert sum(v for k, v in s.items() if k[0] == "tributary_metrics") <= 2000
    assert s[key("tributary_series_limited_total", metric_name="_other")] > 0
    after = s[key("tributary_process_resident_memory_bytes")]
    assert after - before < 150 * 1024 * 1024, (before, after)


def test_hostile_tcp_clients_cannot_block_others(tributary_factory):
    t = tributary_factory(["--statsd.max-tcp-connections=64"])
    addr = ("127.0.0.1", t.tcp_port)
    silent = [socket.create_connection(addr, timeout=5) for _ in range(40)]  # connect and send nothing
    half = []
    for i in range(10):  # half a line, then vanish without closing properly (RST)
        c = socket.create_connection(addr, timeout=5)
        c.sendall(b"hostile.half_%d:1" % i)
        half.append(c)
    for c in half[:5]:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.close()
    try:
        for _ in range(20):
            t.send_tcp("hostile.good:1|c\n")
        s = t.wait_for(lambda s: s.get(key("hostile_good")) == 20)
        assert s[key("tributary_tcp_open_connections")] >= 40
        # An over-limit flood of connections is refused, and good clients still get through once they leave.
        extra = [socket.create_connection(addr, timeout=5) for _ in range(30)]
        t.wait_for(lambda s: s.get(key("tributary_tcp_connections_rejected_total"), 0) > 0)
        for c in extra:
            c.close()
    finally:
        for c in silent + half[5:]:
            c.close()
    t.wait_for(lambda s: s.get(key("tributary_tcp_open_connections")) == 0)
    t.send_tcp("hostile.good:1|c\n")
    t.wait_for(lambda s: s.get(key("hostile_good")) == 21)


def test_sigterm_applies_what_was_read_and_serves_for_the_grace_period(tributary_factory):
    t = tributary_factory(["--web.shutdown-grace=2s"])
    t.send_udp("term.udp:5|c")
    t.wait_for(lambda s: s.get(key("term_udp")) == 5)
    conn = socket.create_connection(("127.0.0.1", t.tcp_port), timeout=5)
    t.wait_for(lambda s: s.get(key("tributary_tcp_open_connections")) == 1)
    conn.sendall(b"term.tcp:1|c\n" * 1000)
    conn.close()
    started = time.time()
    t.proc.send_signal(signal.SIGTERM)
    # During the grace period: listeners are closed, /metrics answers with everything that was read.
    s = t.wait_for(lambda s: s.get(key("term_tcp")) == 1000, timeout=1.5)
    assert s[key("term_udp")] == 5
    refused = False
    for _ in range(20):
        try:
            socket.create_connection(("127.0.0.1", t.tcp_port), timeout=1).close()
        except OSError:
            refused = True
            break
        time.sleep(0.05)
    assert refused, "TCP listener still accepting after SIGTERM"
    assert http_get(t.base + "/metrics")[0] == 200
    status, _, body = http_get(t.base + "/-/ready")
    assert status == 503 and b"shutting-down" in body, body
    assert http_get(t.base + "/-/healthy")[0] == 200
    assert t.proc.wait(10) == 0
    assert time.time() - started >= 1.9


def test_sigkill_and_restart_recovers_stale_unix_sockets(tmp_path):
    statsd_path = str(tmp_path / "statsd.sock")
    json_path = str(tmp_path / "json.sock")
    args = ["--statsd.listen-unixgram=" + statsd_path, "--json.listen-unix=" + json_path]
    first = Tributary(args)
    try:
        first.wait_ready()
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(10)
    finally:
        first.stop()
    assert os.path.exists(statsd_path) and os.path.exists(json_path)  # stale files left by SIGKILL
    second = Tributary(args)
    try:
        second.wait_ready()
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(b"restart.ok:1|c", statsd_path)
        s.close()
        j = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        j.connect(json_path)
        j.sendall(b'{"name":"restart_json","type":"counter","value":2}\n')
        j.close()
        second.wait_for(lambda s: s.get(key("restart_ok")) == 1 and s.get(key("restart_json")) == 2)
        assert oct(os.stat(json_path).st_mode & 0o777) == "0o660"
    finally:
        second.stop()


def test_reload_under_load_loses_nothing(tributary_factory, tmp_path):
    mapping = tmp_path / "mapping.yml"
    good = 'mappings:\n  - match: "load.*"\n    name: "load_total"\n    labels: {kind: "$1"}\n'
    mapping.write_text(good)
    t = tributary_factory(["--statsd.mapping-config=%s" % mapping])
    total = 20000
    done = threading.Event()

    def send():
        c = socket.create_connection(("127.0.0.1", t.tcp_port), timeout=10)
        for i in range(0, total, 100):
            c.sendall(b"load.a:1|c\n" * 100)
            time.sleep(0.002)
        c.close()
        done.set()

    sender = threading.Thread(target=send)
    sender.start()
    reloads = 0
    while not done.is_set() and reloads < 20:
        mapping.write_text(good if reloads % 2 == 0 else "mappings: [ this is not valid")
        t.proc.send_signal(signal.SIGHUP)
        reloads += 1
        time.sleep(0.05)
    sender.join(60)
    mapping.write_text(good + '  - match: "other.*"\n    name: "other_total"\n')
    t.proc.send_signal(signal.SIGHUP)
    s = t.wait_for(lambda s: s.get(key("load_total", kind="a")) == total, timeout=20)
    assert s[key("tributary_config_reloads_total", outcome="failure")] >= 1
    assert s[key("tributary_config_reloads_total", outcome="success")] >= 2
    assert sum(1 for k in s if k[0] == "load_total") == 1
