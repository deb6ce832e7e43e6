"""Cardinality budgets and input limits, end to end: counted, dropped or folded, neighbours unaffected."""
from promparse import key


def test_series_budget_drop_counts_per_metric_and_keeps_existing(tributary_factory):
    t = tributary_factory(["--limits.max-series-per-metric=3", "--limits.max-series=5"])
    t.send_udp("\n".join("budget.hits:1|c|#user:u%d" % i for i in range(10)))
    t.send_udp("budget.hits:5|c|#user:u0", "budget.other:1|g", "budget.more:1|g", "budget.new:1|g")
    s = t.wait_for(lambda s: s.get(key("tributary_series_limited_total", metric_name="budget_hits")) == 7
                   and s.get(key("tributary_series_limited_total", metric_name="budget_new")) == 1)
    assert s[key("budget_hits", user="u0")] == 6
    assert sum(1 for k in s if k[0] == "budget_hits") == 3
    assert s[key("budget_other")] == 1 and s[key("budget_more")] == 1
    assert key("budget_new") not in s


def test_series_budget_fold_into_overflow_series(tributary_factory):
    t = tributary_factory(["--limits.max-series-per-metric=2", "--limits.overflow=fold"])
    t.send_udp("\n".join("fold.hits:1|c|#user:u%d" % i for i in range(6)))
    s = t.wait_for(lambda s: s.get(key("fold_hits", tributary_overflow="true")) == 4)
    assert s[key("fold_hits", user="u0")] == 1
    assert s[key("tributary_series_limited_total", metric_name="fold_hits")] == 4


def test_invalid_overflow_flag_is_a_clear_error(tmp_path):
    import subprocess
    from conftest import binary_path
    r = subprocess.run([binary_path(), "--limits.overflow=explode"], capture_output=True, timeout=30)
    assert r.returncode != 0
    assert b"--limits.overflow must be drop or fold" in r.stderr


def test_label_limits_and_datagram_line_length(tributary_factory):
    t = tributary_factory(["--limits.max-labels=2", "--limits.max-label-value-bytes=10", "--statsd.max-line-bytes=100"])
    t.send_udp("lim.ok:1|c|#a:1,b:2", "lim.wide:1|c|#a:1,b:2,c:3", "lim.long:1|c|#a:" + "x" * 11,
               "lim.ok:1|c\n" + "lim.huge" + "x" * 100 + ":1|c\nlim.after:1|c")
    s = t.wait_for(lambda s: s.get(key("lim_after")) == 1)
    assert s[key("lim_ok", a="1", b="2")] == 1
    assert s[key("tributary_sample_errors_total", reason="too_many_labels")] == 1
    assert s[key("tributary_sample_errors_total", reason="label_value_too_long")] == 1
    assert s[key("tributary_sample_errors_total", reason="line_too_long")] == 1


def test_tcp_connection_limit_rejects_extra_connections_and_frees_slots(tributary_factory):
    import socket
    import time
    t = tributary_factory(["--statsd.max-tcp-connections=3"])
    held = [socket.create_connection(("127.0.0.1", t.tcp_port), timeout=5) for _ in range(5)]
    try:
        s = t.wait_for(lambda s: s.get(key("tributary_tcp_connections_rejected_total")) == 2
                       and s.get(key("tributary_tcp_open_connections")) == 3)
        # The rejected ones are closed by the server.
        closed = 0
        for c in held[3:]:
            c.settimeout(5)
            try:
                if c.recv(1) == b"":
                    closed += 1
            except OSError:
                closed += 1
        assert closed == 2
        held[0].sendall(b"conn.held:1|c\n")
        t.wait_for(lambda s: s.get(key("conn_held")) == 1)
    finally:
        for c in held:
            c.close()
    # Slots free up when clients leave.
    t.wait_for(lambda s: s.get(key("tributary_tcp_open_connections")) == 0)
    t.send_tcp("conn.after:1|c\n")
    t.wait_for(lambda s: s.get(key("conn_after")) == 1)
