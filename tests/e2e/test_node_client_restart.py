"""Tributary stops under load and starts again (same JSON feed socket) while the example Node.js service (two
cluster workers, instrumented with clients/node) keeps serving a bounded load loop on 127.0.0.1.

Asserts: every request succeeds, latency during the outage stays within noise of the baseline, the client reports
what it dropped (feed_client_dropped_samples_total in the new Tributary), and metrics resume: request counts grow
again, gauges set once at start-up (pool sizes, version info) and every worker's runtime gauges are back.
Bounded in count and time; stops only the processes it starts, by PID.
"""
import os
import shutil
import statistics
import tempfile
import time

from conftest import Tributary
from test_node_client import MAPPING, LoadLoop, NodeService

PLAN = [("GET", "/api/users", "/api/users"), ("GET", "/api/users/%d", "/api/users/:id"),
        ("POST", "/api/orders", "/api/orders")]
BASELINE, OUTAGE, AFTER = 4.0, 4.0, 9.0
RECONNECT_BOUND = 6.0  # the client's backoff is capped at 5 s (±20 % jitter)


def count(samples, name, **match):
    return sum(v for (n, labels), v in samples.items()
               if n == name and all(dict(labels).get(k) == w for k, w in match.items()))


def workers_of(samples, name):
    return {dict(labels).get("worker") for (n, labels), _ in samples.items() if n == name}


def test_tributary_restart_under_load():
    tmp = tempfile.mkdtemp(prefix="node-client-restart-")
    sock = os.path.join(tmp, "feed.sock")
    args = ["--statsd.mapping-config=" + MAPPING, "--json.listen-unix=" + sock]
    started = []
    try:
        first = Tributary(extra_args=args, udp=False, tcp=False)
        started.append(first)
        first.wait_ready()
        service = NodeService(tmp, sock, 2, extra_env={"TRIBUTARY_FEED_MAX_QUEUE_BYTES": "16384"})
        started.append(service)
        service.wait_ready()

        load = LoadLoop(service, count=100000, threads=2, pause=0.01, plan=PLAN,
                        seconds=BASELINE + OUTAGE + AFTER).start()
        time.sleep(BASELINE)
        before = first.samples()
        assert count(before, "http_request_duration_seconds_count", route="/api/users") > 0
        assert count(before, "feed_client_dropped_samples_total") == 0
        stopped_at = time.time()
        first.stop()
        started.remove(first)
        time.sleep(OUTAGE)

        second = Tributary(extra_args=args, udp=False, tcp=False)
        started.append(second)
        second.wait_ready()
        back_at = time.time()
        # The clients reconnect (backoff), report their drops and send every gauge again.
        samples = second.wait_for(
            lambda s: count(s, "feed_client_dropped_samples_total", reason="queue_full") > 0
            and workers_of(s, "db_pool_max_connections") == {"0", "1"}
            and workers_of(s, "nodejs_heap_size_used_bytes") == {"0", "1"}
            and count(s, "nodejs_version_info") == 2
            and count(s, "http_request_duration_seconds_count") > 0, timeout=RECONNECT_BOUND + 5)
        assert count(samples, "db_pool_max_connections", pool="main") == 20  # 10 per worker, set once at start-up
        first_count = count(samples, "http_request_duration_seconds_count")
        load.join()
        final = second.samples()
        # Metrics resumed: counts kept growing after the reconnect ...
        assert count(final, "http_request_duration_seconds_count") > first_count
        answered = [(t0, status) for t0, _, status in load.latencies]
        # ... every request started after the reconnect bound is counted, and none twice: the new Tributary has
        # at most the requests that finished after the old one was asked to stop (earlier ones went to the old
        # one, within a turn of finishing).
        late = sum(1 for t0, _ in answered if t0 >= back_at + RECONNECT_BOUND)
        assert late > 50, late
        after_stop = sum(1 for t0, d, _ in load.latencies if t0 + d >= stopped_at - 0.2)
        got = count(final, "http_request_duration_seconds_count", route="/api/users") + \
            count(final, "http_request_duration_seconds_count", route="/api/users/:id") + \
            count(final, "http_request_duration_seconds_count", route="/api/orders")
        assert late <= got <= after_stop, (late, got, after_stop)
        dropped = count(final, "feed_client_dropped_samples_total")
        assert dropped > 0 and count(final, "tributary_json_errors_total") == 0

        # The application kept serving: no error, every status as planned, latency within noise.
        assert not load.errors, load.errors[:5]
        assert {s for _, s in answered} <= {200, 201}, {s for _, s in answered}
        base = [d for t0, d, _ in load.latencies if t0 < stopped_at]
        outage = [d for t0, d, _ in load.latencies if stopped_at <= t0 < back_at + RECONNECT_BOUND]
        assert len(base) > 50 and len(outage) > 50, (len(base), len(outage))
        p50b, p50o = statistics.median(base), statistics.median(outage)
        p90b = statistics.quantiles(base, n=10)[-1]
        p90o = statistics.quantiles(outage, n=10)[-1]
        print("latency baseline p50 %.1f ms p90 %.1f ms; outage+reconnect p50 %.1f ms p90 %.1f ms max %.1f ms; "
              "dropped %d samples" % (p50b * 1e3, p90b * 1e3, p50o * 1e3, p90o * 1e3, max(outage) * 1e3, dropped))
        assert p50o <= 2 * p50b + 0.010, (p50b, p50o)
        assert p90o <= 3 * p90b + 0.025, (p90b, p90o)
        assert max(outage) < 1.0, max(outage)
    finally:
        for p in reversed(started):
            p.stop()
        shutil.rmtree(tmp, ignore_errors=True)
