"""StatsD over real UDP, TCP and Unix datagram sockets into the built binary."""
import os
from promparse import key


def test_udp_counters_gauges_timers(tributary):
    tributary.send_udp("e2e.orders:1|c", "e2e.orders:2|c|@0.5", "e2e.temp:20|g\ne2e.temp:+2|g",
                       "e2e.rt:250|ms|#route:/api", "e2e.size:3|h")
    s = tributary.wait_for(lambda s: s.get(key("e2e_rt_count", route="/api")) == 1
                           and s.get(key("e2e_size_count")) == 1
                           and s.get(key("e2e_orders")) == 5)
    assert s[key("e2e_temp")] == 22
    assert s[key("e2e_rt_sum", route="/api")] == 0.25
    assert s[key("e2e_rt", route="/api", quantile="0.5")] == 0.25


def test_tcp_lines_split_across_reads(tributary):
    payload = "".join("tcp.hits:1|c|#k:v\n" for _ in range(200))
    tributary.send_tcp(payload, chunks=7)
    s = tributary.wait_for(lambda s: s.get(key("tcp_hits", k="v")) == 200)
    assert s[key("tributary_tcp_connections_total")] >= 1


def test_tcp_last_line_without_newline_counts(tributary):
    tributary.send_tcp("tcp.tail:3|c\ntcp.tail:4|c")
    tributary.wait_for(lambda s: s.get(key("tcp_tail")) == 7)


def test_tcp_too_long_line_is_counted_and_connection_continues(tributary):
    tributary.send_tcp("tcp.before:1|c\n" + "x" * 70000 + ":1|c\ntcp.after:1|c\n", chunks=3)
    s = tributary.wait_for(lambda s: s.get(key("tcp_after")) == 1 and s.get(key("tcp_before")) == 1)
    assert s[key("tributary_tcp_too_long_lines_total")] == 1


def test_unixgram_from_unbound_sender(tributary):
    tributary.send_unixgram("ux.events:4|c", "ux.level:7|g")
    s = tributary.wait_for(lambda s: s.get(key("ux_events")) == 4 and s.get(key("ux_level")) == 7)
    assert s[key("tributary_unixgram_packets_total")] == 2


def test_malformed_lines_counted_by_reason_and_neighbours_kept(tributary):
    tributary.send_udp("good.one:1|c\nbroken\nbad.value:x|c\nbad.type:1|zz\ngood.one:1|c")
    s = tributary.wait_for(lambda s: s.get(key("good_one")) == 2)
    assert s[key("tributary_sample_errors_total", reason="malformed_line")] == 1
    assert s[key("tributary_sample_errors_total", reason="malformed_value")] == 1
    assert s[key("tributary_sample_errors_total", reason="illegal_event")] == 1


def test_type_conflict_counted_not_500(tributary):
    tributary.send_udp("clash.metric:1|g", "clash.metric:1|c")
    s = tributary.wait_for(lambda s: s.get(key("tributary_events_conflict_total", metric_name="clash_metric")) == 1)
    assert s[key("clash_metric")] == 1


def test_dogstatsd_events_and_service_checks_are_not_errors(tributary):
    tributary.send_udp("_e{5,4}:title|text|#env:prod", "_sc|db.check|0|#env:prod")
    # Two datagrams: a scrape may fall between them, so wait for both counts.
    s = tributary.wait_for(lambda s: s.get(key("tributary_dogstatsd_events_total", kind="event")) == 1
                           and s.get(key("tributary_dogstatsd_events_total", kind="service_check")) == 1)
    assert s[key("tributary_sample_errors_total", reason="malformed_line")] == 0


def test_sets_count_distinct_members(tributary):
    tributary.send_udp("users.online:alice|s", "users.online:bob|s", "users.online:alice|s")
    tributary.wait_for(lambda s: s.get(key("users_online")) == 2)


def test_several_udp_readers_each_deliver(tributary_factory):
    """SO_REUSEPORT readers: the kernel spreads senders (by source port) over the sockets; all samples arrive."""
    import socket
    t = tributary_factory(extra_args=["--statsd.udp-readers=2"], tcp=False)
    senders = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(16)]
    for i, s in enumerate(senders):
        s.bind(("127.0.0.1", 0))
        for _ in range(10):
            s.sendto(b"multi.reader:1|c", ("127.0.0.1", t.udp_port))
    for s in senders:
        s.close()
    t.wait_for(lambda s: s.get(key("multi_reader")) == 160)
    # Both reader sockets exist (same port twice in /proc/net/udp).
    port_hex = ":%04X" % t.udp_port
    with open("/proc/net/udp") as f:
        sockets = [line for line in f if line.split()[1].endswith(port_hex)]
    assert len(sockets) == 2


def test_ingest_threads_apply_every_line_of_one_sender(tributary_factory):
    """--statsd.ingest-threads: one sender's datagrams are split by metric name over worker shards; every line of
    every name arrives, a family spread over shards is served once, and the workers really run."""
    import socket
    t = tributary_factory(extra_args=["--statsd.ingest-threads=3"], tcp=False)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for round_ in range(50):
        lines = ["shard.name%d:1|c|#round:r%d" % (i, round_ % 2) for i in range(30)] + ["shard.gauge:%d|g" % round_]
        s.sendto("\n".join(lines).encode(), ("127.0.0.1", t.udp_port))
    s.close()
    t.wait_for(lambda s: all(s.get(key("shard_name%d" % i, round="r0")) == 25
                             and s.get(key("shard_name%d" % i, round="r1")) == 25 for i in range(30))
               and s.get(key("shard_gauge")) == 49
               and s.get(key("tributary_lines_total")) == 50 * 31)
    pid = t.proc.pid
    threads = os.listdir("/proc/%d/task" % pid)
    names = [open("/proc/%d/task/%s/comm" % (pid, tid)).read().strip() for tid in threads]
    assert sum(1 for n in names if n.startswith("ingest-worker-")) == 3, names
    assert t.scrape().count("# TYPE tributary_lines_total counter") == 1


def test_rejected_lines_logged_at_debug_without_flooding(tributary_factory):
    t = tributary_factory(tcp=False, extra_args=["--log.level=debug"])
    t.send_udp(*["bad.value:x|c" for _ in range(200)])
    t.send_udp("good.after:1|c")
    t.wait_for(lambda s: s.get(key("good_after")) == 1
               and s.get(key("tributary_sample_errors_total", reason="malformed_value")) == 200)
    import time
    deadline = time.time() + 5
    log = ""
    while time.time() < deadline and "bad.value:x|c" not in log:
        time.sleep(0.2)
        log = t.stderr()
    examples = [l for l in log.splitlines() if "rejected input" in l and "malformed_value" in l]
    assert examples and "bad.value:x|c" in examples[0]
    assert len(examples) <= 6  # one per interval, not one per bad line


def test_rejected_lines_not_logged_at_info(tributary_factory):
    t = tributary_factory(tcp=False)
    t.send_udp("bad.value:x|c", "good.after:1|c")
    t.wait_for(lambda s: s.get(key("good_after")) == 1)
    import time
    time.sleep(1.5)
    assert "rejected input" not in t.stderr()
